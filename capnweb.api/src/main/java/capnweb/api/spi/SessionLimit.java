package capnweb.api.spi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's sessions counted against {@link capnweb.api.ServerOptions#maxSessions()}, for
 * transports: one place is taken before a WebSocket session starts or a batch body is read, and
 * given back when that session ends or the batch's response is out. Thread-safe.
 */
public final class SessionLimit {
    private static final System.Logger LOG = System.getLogger(SessionLimit.class.getName());
    /** Refusals come in floods when they come; one warning a minute says enough. */
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int max;
    private final AtomicInteger taken = new AtomicInteger();
    private final AtomicLong refusedSinceWarning = new AtomicLong();
    private final AtomicLong lastWarning;

    /**
     * A limit of {@code max} sessions; {@link Integer#MAX_VALUE} counts nothing.
     *
     * @param max the most sessions at once, at least 1
     */
    public SessionLimit(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxSessions must be positive, got " + max);
        }
        this.max = max;
        this.lastWarning = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);
    }

    /**
     * Takes a place for a new session, if one is free. The caller gives it back with
     * {@link #release()} exactly once, and refuses the session with {@link #refusal()} otherwise.
     *
     * @return whether the session may start
     */
    public boolean tryAcquire() {
        if (max == Integer.MAX_VALUE) {
            return true;
        }
        int n;
        do {
            n = taken.get();
            if (n >= max) {
                warnRefused();
                return false;
            }
        } while (!taken.compareAndSet(n, n + 1));
        return true;
    }

    /** Gives back a place taken with {@link #tryAcquire()}. */
    public void release() {
        if (max == Integer.MAX_VALUE) {
            return;
        }
        if (taken.decrementAndGet() < 0) {
            taken.incrementAndGet();
            throw new IllegalStateException("A session place was given back that was never taken; "
                    + "call release() once per successful tryAcquire().");
        }
    }

    /** @return how many places are taken now (0 when nothing is counted) */
    public int acquired() {
        return taken.get();
    }

    /**
     * @return what a refused client is told, as the body of a 503 or a close reason: a sentence
     *     saying that the server is full and to try again later
     */
    public String refusal() {
        return "This Cap'n Web server is already serving as many sessions as it allows (" + max
                + "); try again later.";
    }

    private void warnRefused() {
        refusedSinceWarning.incrementAndGet();
        long last = lastWarning.get();
        long now = System.nanoTime();
        if (now - last >= WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            long count = refusedSinceWarning.getAndSet(0);
            LOG.log(System.Logger.Level.WARNING, () -> "Refused " + count + " Cap'n Web session"
                    + (count == 1 ? "" : "s") + " since the last such warning: all " + max
                    + " places were taken, the limit set by ServerOptions.maxSessions. Raise it if the "
                    + "server has room for more.");
        }
    }
}
