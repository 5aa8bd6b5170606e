package capnweb.protocol;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's shared threads, all daemons so that they never keep a JVM alive: a cached pool
 * that runs session executors (when the application gives none) and completes the futures the
 * application waits on, and one scheduler for short delays (the batch client's send).
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
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "capnweb-timer-"));

    private EnginePools() {
    }

    private static Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + COUNTER.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
