package capnweb.api.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A watch over one WebSocket peer (a server's over a client, or a client's over its server), for
 * transports: every {@link #period()} the transport asks {@link #peerGone()}; if the peer is
 * still there it sends a ping, otherwise it drops the connection. It calls {@link #heard()} for
 * every frame the peer sends, pongs included, from the one thread at a time that receives them.
 * So a peer that answers pings keeps a quiet session open, and one that answers nothing for the
 * timeout is let go. {@link #peerGone()} is called by one thread at a time too (the transport's
 * timer), any other.
 */
public final class Keepalive {
    private final Duration idleTimeout;
    private final String setting;
    private final long idleNanos;
    private final Duration period;
    /**
     * Frames received so far. Counted rather than timed, so that receiving reads no clock; stored
     * with release semantics, so that it pays no fence either.
     */
    private final AtomicLong framesHeard = new AtomicLong();
    // The checking thread's own: the count it last saw, and when it saw it change.
    private long framesSeen;
    private long lastHeardNanos = System.nanoTime();

    private Keepalive(Duration idleTimeout, Duration period, String setting) {
        this.idleTimeout = idleTimeout;
        this.setting = setting;
        this.idleNanos = idleTimeout.toNanos();
        this.period = period;
    }

    /**
     * The watch for a server's settings.
     *
     * @param pingInterval {@code ServerOptions.pingInterval()}
     * @param idleTimeout {@code ServerOptions.idleTimeout()}
     * @return the watch, or empty when there are no pings (a zero interval) or no idle timeout,
     *     and the transport's own idle timeout applies as it is
     */
    public static Optional<Keepalive> of(Duration pingInterval, Duration idleTimeout) {
        return of(pingInterval, idleTimeout, "ServerOptions.idleTimeout");
    }

    /**
     * The watch a client keeps over its server.
     *
     * @param pingInterval {@code ClientOptions.pingInterval()}
     * @param serverTimeout {@code ClientOptions.serverTimeout()}
     * @return the watch, or empty when the client does not ping
     */
    public static Optional<Keepalive> ofClient(Duration pingInterval, Duration serverTimeout) {
        return of(pingInterval, serverTimeout, "ClientOptions.keepalive");
    }

    private static Optional<Keepalive> of(Duration pingInterval, Duration idleTimeout, String setting) {
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (pingInterval.isZero() || pingInterval.isNegative() || idleTimeout.isZero() || idleTimeout.isNegative()) {
            return Optional.empty();
        }
        // At least two pings within the idle timeout, so that one lost to timing costs nothing.
        Duration half = idleTimeout.dividedBy(2);
        Duration period = pingInterval.compareTo(half) < 0 ? pingInterval : half;
        return Optional.of(new Keepalive(idleTimeout, period.isZero() ? Duration.ofMillis(1) : period, setting));
    }

    /** @return how often to check on the peer and ping it */
    public Duration period() {
        return period;
    }

    /** The peer sent a frame: it is there. */
    public void heard() {
        framesHeard.lazySet(framesHeard.get() + 1);
    }

    /**
     * @return whether the peer sent nothing, not even a pong, for the idle timeout (give or take
     *     one {@link #period()}: a frame counts from the check after it arrived)
     */
    public boolean peerGone() {
        long now = System.nanoTime();
        long frames = framesHeard.get();
        if (frames != framesSeen) {
            framesSeen = frames;
            lastHeardNanos = now;
        }
        return now - lastHeardNanos >= idleNanos;
    }

    /** @return why the connection was dropped: for the log, and the error the session ends with */
    public String goneReason() {
        long millis = idleTimeout.toMillis();
        String time = millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
        return "The WebSocket peer sent nothing, not even an answer to a ping, for " + time + " (" + setting
                + "), so its connection was dropped.";
    }
}
