package capnweb.api.spi;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server's sessions counted against {@link capnweb.api.ServerOptions#maxSessions()}, or its
 * connections against {@link capnweb.api.ServerOptions#maxConnections()}, for transports. A place
 * is taken before a WebSocket session starts, a batch body is read or a connection is served, and
 * given back when that session ends, the batch's response is out or the connection closes.
 * Thread-safe.
 */
public final class ServerLimit {
    private static final System.Logger LOG = System.getLogger(ServerLimit.class.getName());

    private final int max;
    private final String what;
    private final AtomicInteger taken = new AtomicInteger();
    private final OccasionalWarning refused;

    private ServerLimit(int max, String what, String option) {
        if (max <= 0) {
            throw new IllegalArgumentException(option + " must be positive, got " + max);
        }
        this.max = max;
        this.what = what;
        this.refused = new OccasionalWarning(LOG, count -> "Refused " + count + " Cap'n Web " + what
                + (count == 1 ? "" : "s") + " since the last such warning: all " + max
                + " places were taken, the limit set by ServerOptions." + option + ". Raise it if the "
                + "server has room for more.");
    }

    /**
     * A limit of {@code max} sessions at once; {@link Integer#MAX_VALUE} counts nothing.
     *
     * @param max the most sessions at once, at least 1
     * @return the limit
     */
    public static ServerLimit sessions(int max) {
        return new ServerLimit(max, "session", "maxSessions");
    }

    /**
     * A limit of {@code max} connections at once; {@link Integer#MAX_VALUE} counts nothing.
     *
     * @param max the most connections at once, at least 1
     * @return the limit
     */
    public static ServerLimit connections(int max) {
        return new ServerLimit(max, "connection", "maxConnections");
    }

    /**
     * Takes a place, if one is free. The caller gives it back with {@link #release()} exactly
     * once, and refuses what asked for it otherwise.
     *
     * @return whether the session may start, or the connection be served
     */
    public boolean tryAcquire() {
        if (max == Integer.MAX_VALUE) {
            return true;
        }
        int n;
        do {
            n = taken.get();
            if (n >= max) {
                refused.happened();
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
            throw new IllegalStateException("A " + what + " place was given back that was never taken; "
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
        return "This Cap'n Web server is already serving as many " + what + "s as it allows (" + max
                + "); try again later.";
    }
}
