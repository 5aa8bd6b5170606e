package capnweb.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Keeps a fixed number of asynchronous operations in flight for a warm-up and then a measured
 * window, and counts what completed inside the window: the shape of every load scenario.
 */
final class Window {
    private final int inFlight;
    private final LongFunction<CompletionStage<?>> op;
    private final Latencies latencies = new Latencies();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong measured = new AtomicLong();
    private final CountDownLatch idle;
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private volatile Throwable failure;

    Window(int inFlight, LongFunction<CompletionStage<?>> op) {
        this.inFlight = inFlight;
        this.op = op;
        this.idle = new CountDownLatch(inFlight);
    }

    /**
     * Runs the scenario and reads the server's CPU time at the edges of the window.
     *
     * @return what completed in the window
     */
    Measured run(double warmupSeconds, double seconds, ProcProbe probe) throws InterruptedException {
        for (int i = 0; i < inFlight; i++) {
            next();
        }
        sleepNanos((long) (warmupSeconds * 1e9));
        long cpu0 = probe == null ? 0 : probe.cpuMicros();
        long t0 = System.nanoTime();
        windowStart = t0;
        sleepNanos((long) (seconds * 1e9));
        long t1 = System.nanoTime();
        windowEnd = t1;
        long cpu1 = probe == null ? 0 : probe.cpuMicros();
        if (!idle.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Operations still in flight 60 s after the window closed; "
                    + "the server stopped answering.");
        }
        if (failure != null) {
            throw new IllegalStateException("An operation failed: " + failure, failure);
        }
        Latencies copy;
        synchronized (latencies) {
            copy = new Latencies();
            copy.merge(latencies);
        }
        return new Measured(measured.get(), (t1 - t0) / 1e9, copy, probe == null ? -1 : cpu1 - cpu0);
    }

    private void next() {
        long start = System.nanoTime();
        if (start >= windowEnd || failure != null) {
            idle.countDown();
            return;
        }
        CompletionStage<?> stage;
        try {
            stage = op.apply(sequence.getAndIncrement());
        } catch (RuntimeException e) {
            failure = e;
            idle.countDown();
            return;
        }
        stage.whenComplete((v, e) -> {
            long end = System.nanoTime();
            if (e != null) {
                failure = e;
            } else if (start >= windowStart && end <= windowEnd) {
                measured.incrementAndGet();
                synchronized (latencies) {
                    latencies.record(end - start);
                }
            }
            next();
        });
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    record Measured(long ops, double seconds, Latencies latencies, long cpuMicros) {
    }
}
