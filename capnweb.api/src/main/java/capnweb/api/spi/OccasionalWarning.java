package capnweb.api.spi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A warning about something that comes in floods when it comes (refused sessions, a factory
 * timing out): logged at most once a minute, saying how often it happened since the last time.
 * Thread-safe.
 */
public final class OccasionalWarning {
    private static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final System.Logger log;
    private final LongFunction<String> message;
    private final AtomicLong sinceLast = new AtomicLong();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

    /**
     * @param log where to log it, at WARNING
     * @param message the warning, given how many times it happened since the last one was logged
     */
    public OccasionalWarning(System.Logger log, LongFunction<String> message) {
        this.log = log;
        this.message = message;
    }

    /** Counts one more time it happened, and logs the warning if none was logged this minute. */
    public void happened() {
        sinceLast.incrementAndGet();
        long last = lastLogged.get();
        long now = System.nanoTime();
        if (now - last >= INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
            long count = sinceLast.getAndSet(0);
            log.log(System.Logger.Level.WARNING, () -> message.apply(count));
        }
    }
}
