package capnweb.transport.jetty;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds how long a WebSocket connection holds the answers to a burst of frames: each write
 * handed to {@link #writeSoon} runs within one or two milliseconds, on one daemon thread shared
 * by all connections. That thread ticks only while something is due, so a busy server
 * pays one wake-up per millisecond for all its connections, not a timer per burst.
 */
final class BurstDeadline {
    private static final System.Logger LOG = System.getLogger(BurstDeadline.class.getName());
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final ConcurrentLinkedQueue<Runnable> DUE = new ConcurrentLinkedQueue<>();
    /** How many writes were handed over: for tests that check nothing was held. */
    static final AtomicLong SCHEDULED = new AtomicLong();
    private static volatile boolean idle;
    private static final Thread TICKER = start();

    private BurstDeadline() {
    }

    /**
     * Runs {@code write} within one or two ticks. It must not block; it may run when there is no
     * longer anything to write.
     */
    static void writeSoon(Runnable write) {
        SCHEDULED.incrementAndGet();
        DUE.add(write);
        if (idle) {
            LockSupport.unpark(TICKER);
        }
    }

    private static Thread start() {
        Thread t = new Thread(BurstDeadline::tick, "capnweb-jetty-burst-deadline");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void tick() {
        while (true) {
            if (DUE.isEmpty()) {
                idle = true;
                // Checked again after announcing the park, so that a write added meanwhile
                // either is seen here or unparks this thread.
                if (DUE.isEmpty()) {
                    LockSupport.park();
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(TICK_NANOS);
            Runnable write;
            while ((write = DUE.poll()) != null) {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Writing the held answers of a WebSocket failed", e);
                }
            }
        }
    }
}
