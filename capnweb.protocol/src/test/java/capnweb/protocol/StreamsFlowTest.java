package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStreams;
import capnweb.api.RpcTarget;
import capnweb.api.RpcWritableStream;
import capnweb.api.Undefined;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Backpressure end to end, and streams beside calls on one session. */
@Timeout(60)
class StreamsFlowTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CHUNK = 64 * 1024;

    /** A consumer that reads only what the test lets it read. */
    public static final class Gate implements RpcTarget {
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        final AtomicLong bytes = new AtomicLong();
        final CompletableFuture<Long> total = new CompletableFuture<>();
        final AtomicLong written = new AtomicLong();

        /** Subscribes, reads {@code first} chunks, then waits for the test; resolves with the byte count. */
        public CompletionStage<Long> hold(Flow.Publisher<Object> readable, int first) {
            readable.subscribe(new Flow.Subscriber<Object>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription.set(s);
                    s.request(first);
                }

                @Override
                public void onNext(Object item) {
                    bytes.addAndGet(((byte[]) item).length);
                }

                @Override
                public void onError(Throwable t) {
                    total.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    total.complete(bytes.get());
                }
            });
            return total;
        }

        /** Writes {@code n} chunks as fast as the stream's window allows, then closes it. */
        public CompletionStage<Object> flood(RpcWritableStream writable, int n) {
            CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
            byte[] chunk = new byte[CHUNK];
            for (int i = 0; i < n; i++) {
                chain = chain.thenCompose(x -> writable.write(chunk)).thenRun(written::incrementAndGet);
            }
            return chain.thenCompose(x -> writable.close()).thenApply(x -> Undefined.INSTANCE);
        }

        public double square(double x) {
            return x * x;
        }
    }

    static Flow.Publisher<Object> counted(int chunks, AtomicInteger produced) {
        byte[] chunk = new byte[CHUNK];
        return RpcStreams.publisherOf(() -> new Iterator<Object>() {
            @Override
            public boolean hasNext() {
                return produced.get() < chunks;
            }

            @Override
            public Object next() {
                produced.incrementAndGet();
                return chunk;
            }
        });
    }

    /** Waits until {@code value} has not changed for a while, and returns it. */
    static int plateau(AtomicInteger value) throws InterruptedException {
        int last = -1;
        int stable = 0;
        while (stable < 10) {
            Thread.sleep(20);
            int now = value.get();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    @Test
    void slowReaderStopsTheWriterWithinTheWindow() throws Exception {
        Gate gate = new Gate();
        try (Harness h = new Harness(gate)) {
            AtomicInteger produced = new AtomicInteger();
            int total = 2000; // 125 MiB if nothing held it back
            RpcPromise result = h.main.call("hold", counted(total, produced), 4);
            int stalled = plateau(produced);
            // The initial window is 256 KiB: a few chunks in flight beyond the four read.
            assertThat(stalled).as("chunks produced while the reader waits").isBetween(4, 16);
            assertThat(gate.bytes.get()).isEqualTo(4L * CHUNK);

            gate.subscription.get().request(Long.MAX_VALUE);
            assertThat(result.join(WAIT)).isEqualTo((long) total * CHUNK);
            assertThat(produced.get()).isEqualTo(total);
        }
    }

    @Test
    void callsAreAnsweredWhileAStreamIsStalled() throws Exception {
        Gate gate = new Gate();
        try (Harness h = new Harness(gate)) {
            AtomicInteger produced = new AtomicInteger();
            RpcPromise upload = h.main.call("hold", counted(1000, produced), 1);
            plateau(produced);
            for (int i = 0; i < 20; i++) {
                assertThat(h.main.call("square", i).join(WAIT)).isEqualTo((long) i * i);
            }
            assertThat(upload.toCompletableFuture()).isNotDone();
            gate.subscription.get().request(Long.MAX_VALUE);
            assertThat(upload.join(WAIT)).isEqualTo(1000L * CHUNK);
        }
    }

    @Test
    void slowSubscriberOfAWritableHoldsTheRemoteWriterBack() throws Exception {
        Gate gate = new Gate();
        try (Harness h = new Harness(gate)) {
            AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
            AtomicInteger received = new AtomicInteger();
            CompletableFuture<Integer> done = new CompletableFuture<>();
            Flow.Subscriber<Object> slow = new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    sub.set(s);
                    s.request(2);
                }

                @Override
                public void onNext(Object item) {
                    received.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    done.complete(received.get());
                }
            };
            RpcPromise flood = h.main.call("flood", slow, 1000);
            AtomicInteger written = new AtomicInteger();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int last = -1;
            int stable = 0;
            while (stable < 10 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                int now = (int) gate.written.get();
                stable = now == last ? stable + 1 : 0;
                last = now;
            }
            written.set(last);
            assertThat(received.get()).isEqualTo(2);
            assertThat(written.get()).as("writes the target could make while the subscriber waits").isBetween(2, 16);

            sub.get().request(Long.MAX_VALUE);
            assertThat(flood.join(WAIT)).isEqualTo(Undefined.INSTANCE);
            assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }
}
