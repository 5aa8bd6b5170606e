package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcPromise;
import capnweb.api.RpcTarget;
import capnweb.api.RpcTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-call deadlines and cancellation: the promise rejects and its result is released on the peer. */
@Timeout(10)
class DeadlineTest {

    public static final class Slow implements RpcTarget {
        final CompletableFuture<String> gate = new CompletableFuture<>();

        public CompletionStage<String> slow() {
            return gate;
        }

        public String fast() {
            return "fast";
        }
    }

    private static void awaitServerExports(Harness h, int expected) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (h.server.stats().exports() != expected && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertThat(h.server.stats().exports()).isEqualTo(expected);
    }

    @Test
    void deadlineRejectsWithTimeoutAndReleasesTheResultOnThePeer() {
        Slow slow = new Slow();
        try (Harness h = new Harness(slow)) {
            h.main.call("fast").join();
            h.settle(); // the release of that result has reached the server
            int baseline = h.server.stats().exports();
            RpcPromise p = h.main.call("slow").withTimeout(Duration.ofMillis(100));
            long start = System.nanoTime();
            assertThatThrownBy(p::join).isInstanceOf(RpcTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(p.toCompletableFuture()).failsWithin(Duration.ofSeconds(1));
            awaitServerExports(h, baseline);
            slow.gate.complete("late");
            assertThat(h.main.call("fast").join()).isEqualTo("fast");
        }
    }

    @Test
    void resultBeforeTheDeadlineIsUnaffected() {
        try (Harness h = new Harness(new Slow())) {
            assertThat(h.main.call("fast").withTimeout(Duration.ofSeconds(5)).join()).isEqualTo("fast");
        }
    }

    @Test
    void cancellingTheFutureCancelsTheCallAndReleasesIt() {
        try (Harness h = new Harness(new Slow())) {
            h.main.call("fast").join();
            h.settle(); // the release of that result has reached the server
            int baseline = h.server.stats().exports();
            RpcPromise p = h.main.call("slow");
            CompletableFuture<Object> f = p.toCompletableFuture();
            awaitServerExports(h, baseline + 1);
            assertThat(f.cancel(true)).isTrue();
            assertThatThrownBy(p::join).isInstanceOf(CancellationException.class);
            awaitServerExports(h, baseline);
            assertThat(p.cancel()).isFalse();
        }
    }

    @Test
    void explicitCancelRejectsPipelinedWaits() {
        try (Harness h = new Harness(new Slow())) {
            RpcPromise p = h.main.call("slow");
            assertThat(p.cancel()).isTrue();
            assertThatThrownBy(p::join).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("cancelled");
            assertThat(p.thenApply(x -> x).toCompletableFuture()).failsWithin(Duration.ofSeconds(1));
        }
    }

    @Test
    void aSlowCallbackOnOneDeadlineDoesNotHoldUpAnotherSessionsDeadline() throws Exception {
        // With directExecutor() a deadline's callbacks run on the thread that rejects the promise;
        // that must not be the engine's one timer thread, which every session's deadlines share.
        capnweb.api.SessionOptions direct = capnweb.api.SessionOptions.builder().directExecutor().build();
        java.util.concurrent.CountDownLatch unblock = new java.util.concurrent.CountDownLatch(1);
        try (Harness first = new Harness(new Slow(), capnweb.api.Undefined.INSTANCE,
                capnweb.api.SessionOptions.defaults(), direct);
                Harness second = new Harness(new Slow())) {
            CompletableFuture<Void> inCallback = new CompletableFuture<>();
            first.main.call("slow").withTimeout(Duration.ofMillis(20)).whenComplete((v, e) -> {
                inCallback.complete(null);
                try {
                    unblock.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
            inCallback.get(5, TimeUnit.SECONDS);
            RpcPromise p = second.main.call("slow").withTimeout(Duration.ofMillis(20));
            assertThat(p.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(RpcTimeoutException.class);
        } finally {
            unblock.countDown();
        }
    }
}
