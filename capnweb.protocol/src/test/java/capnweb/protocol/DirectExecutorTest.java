package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SessionOptions.directExecutor()}: promise callbacks run on the session's own thread right
 * after the message that settled them, with no hand-off, as promise reactions do in JavaScript.
 * Each test holds back the answers until its callbacks are attached (a callback attached to a
 * settled promise runs at once on the attaching thread, in any mode), then lets them in from a
 * thread of its own.
 */
@Timeout(10)
class DirectExecutorTest {
    private static final SessionOptions DIRECT = SessionOptions.builder().directExecutor().build();

    private static Harness harness(SessionOptions clientOptions) {
        return new Harness(new TestTargets.TestTarget(), Undefined.INSTANCE, SessionOptions.defaults(), clientOptions);
    }

    /** Once {@code answers} are held back, lets them in to the client from a thread named "delivering". */
    private static void deliverHeldAnswers(Harness h, int answers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (h.clientTransport.heldCount() < answers && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(h.clientTransport.heldCount()).isEqualTo(answers);
        Thread delivering = new Thread(h.clientTransport::release, "delivering");
        delivering.start();
        delivering.join();
    }

    /** Where a callback on the result of square(3) ran: its thread, and whether the session was current. */
    private static List<Object> whereACallbackRuns(SessionOptions clientOptions) throws Exception {
        try (Harness h = harness(clientOptions)) {
            h.clientTransport.hold();
            CompletableFuture<List<Object>> seen = new CompletableFuture<>();
            h.main.call("square", 3).thenAccept(v -> seen.complete(List.of(((Number) v).doubleValue(),
                    Thread.currentThread().getName(), h.client.executor.inExecutor())));
            deliverHeldAnswers(h, 1);
            return seen.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPromiseCallbackRunsOnTheSessionsThreadWithNoHandOff() throws Exception {
        List<Object> seen = whereACallbackRuns(DIRECT);
        assertThat(seen).containsExactly(9.0, "delivering", true);
    }

    @Test
    void withoutItAPromiseCallbackRunsOffTheSessionOnTheEngineThreadThatSettledIt() throws Exception {
        List<Object> seen = whereACallbackRuns(SessionOptions.defaults());
        assertThat(seen.get(0)).isEqualTo(9.0);
        assertThat((String) seen.get(1)).startsWith("capnweb-engine-");
        assertThat(seen.get(2)).isEqualTo(false);
    }

    @Test
    void aCallMadeInACallbackIsSentBeforeTheCallbackReturns() throws Exception {
        try (Harness h = harness(DIRECT)) {
            h.clientTransport.hold();
            CompletableFuture<Object> second = new CompletableFuture<>();
            List<Integer> sentBeforeAndAfter = new ArrayList<>();
            h.main.call("square", 2).thenAccept(v -> {
                sentBeforeAndAfter.add(h.clientTransport.sent.size());
                h.main.call("square", v).thenAccept(x -> second.complete(((Number) x).doubleValue()));
                sentBeforeAndAfter.add(h.clientTransport.sent.size());
            });
            deliverHeldAnswers(h, 1);
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(16.0);
            assertThat(sentBeforeAndAfter).hasSize(2);
            assertThat(sentBeforeAndAfter.get(1)).isGreaterThan(sentBeforeAndAfter.get(0));
        }
    }

    @Test
    void joinInACallbackFailsAtOnceInsteadOfWaitingForever() throws Exception {
        try (Harness h = harness(DIRECT)) {
            h.clientTransport.hold();
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            h.main.call("square", 2).thenAccept(v -> {
                try {
                    h.main.call("square", 5).join();
                    failure.complete(null);
                } catch (RuntimeException e) {
                    failure.complete(e);
                }
            });
            deliverHeldAnswers(h, 1);
            assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("join() was called on the session's own thread");
        }
    }

    @Test
    void callbacksRunInTheOrderTheirResultsArrive() throws Exception {
        try (Harness h = harness(DIRECT)) {
            h.clientTransport.hold();
            List<Object> order = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<?>[] done = new CompletableFuture<?>[20];
            for (int i = 0; i < done.length; i++) {
                done[i] = h.main.call("square", i).thenAccept(v -> order.add(((Number) v).doubleValue())).toCompletableFuture();
            }
            deliverHeldAnswers(h, done.length);
            CompletableFuture.allOf(done).get(5, TimeUnit.SECONDS);
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < done.length; i++) {
                expected.add((double) i * i);
            }
            assertThat(order).isEqualTo(expected);
        }
    }

    @Test
    void aBatchClientSendsItsCallsTogetherAndRunsTheCallbacksWhenTheAnswerArrives() throws Exception {
        CapnWebEngine engine = new CapnWebEngine();
        List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        capnweb.api.spi.HttpBatchPoster poster = body -> {
            posted.add(body);
            return engine.serveBatch(body, new TestTargets.TestTarget(), DIRECT);
        };
        try (capnweb.api.RpcSession session = engine.newBatchClient(poster, Undefined.INSTANCE, DIRECT)) {
            CompletableFuture<Object> a = new CompletableFuture<>();
            CompletableFuture<Object> b = new CompletableFuture<>();
            session.main().call("square", 3).thenAccept(a::complete);
            session.main().call("square", 4).thenAccept(b::complete);
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(9L);
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(16L);
            assertThat(posted).hasSize(1);
        }
    }

    @Test
    void aBatchClientWhosePosterBlocksDoesNotHoldUpAnotherClientsSend() throws Exception {
        // With directExecutor() a batch is sent on the thread that found the session quiet; the
        // engine's one timer thread must not be that thread, or this poster would stall every
        // batch client in the JVM.
        CapnWebEngine engine = new CapnWebEngine();
        java.util.concurrent.CountDownLatch posting = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch unblock = new java.util.concurrent.CountDownLatch(1);
        capnweb.api.spi.HttpBatchPoster blocking = body -> {
            posting.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return engine.serveBatch(body, new TestTargets.TestTarget(), DIRECT);
        };
        capnweb.api.spi.HttpBatchPoster plain = body -> engine.serveBatch(body, new TestTargets.TestTarget(), DIRECT);
        try (capnweb.api.RpcSession stuck = engine.newBatchClient(blocking, Undefined.INSTANCE, DIRECT);
                capnweb.api.RpcSession other = engine.newBatchClient(plain, Undefined.INSTANCE, DIRECT)) {
            CompletableFuture<Object> a = new CompletableFuture<>();
            CompletableFuture<Object> b = new CompletableFuture<>();
            stuck.main().call("square", 3).thenAccept(a::complete);
            assertThat(posting.await(5, TimeUnit.SECONDS)).isTrue();
            other.main().call("square", 4).thenAccept(b::complete);
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(16L);
            assertThat(a).isNotDone();
            unblock.countDown();
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(9L);
        } finally {
            unblock.countDown();
        }
    }
}
