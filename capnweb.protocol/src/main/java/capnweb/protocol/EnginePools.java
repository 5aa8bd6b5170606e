package capnweb.protocol;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's shared threads, all daemons so that they never keep a JVM alive: a cached pool
 * that runs session executors (when the application gives none) and completes the futures the
 * application waits on, and one scheduler for short delays (the batch client's send, a call's
 * deadline).
 */
final class EnginePools {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static final ExecutorService SHARED = Executors.newCachedThreadPool(r -> daemon(r, "capnweb-engine-"));

    /**
     * Completes the futures applications wait on. A fork-join pool (FIFO mode) keeps a burst of
     * completions from creating a thread each, and still adds threads when a callback blocks in
     * {@code join()}, as CompletableFuture cooperates with it.
     */
    static final ExecutorService DELIVERY = new java.util.concurrent.ForkJoinPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), pool -> {
                java.util.concurrent.ForkJoinWorkerThread t =
                        java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setDaemon(true);
                t.setName("capnweb-delivery-" + COUNTER.incrementAndGet());
                return t;
            }, null, true);
    /**
     * One thread for the whole JVM: it only hands tasks on (see {@link #after}), never runs them.
     * A cancelled task leaves its queue at once: a call's deadline is cancelled when the call
     * settles, usually long before it is due, and would otherwise stay queued until then.
     */
    private static final ScheduledExecutorService TIMER = timer();

    private EnginePools() {
    }

    /**
     * Runs {@code task} on a {@link #SHARED} thread after {@code nanos}. The task may run a
     * session's work and, with {@code directExecutor()}, application callbacks or a blocking
     * batch poster; on the timer's own thread, one of those that is slow would hold up every
     * deadline and batch send in the JVM.
     */
    static ScheduledFuture<?> after(long nanos, Runnable task) {
        return TIMER.schedule(() -> SHARED.execute(task), nanos, TimeUnit.NANOSECONDS);
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "capnweb-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private static Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + COUNTER.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
