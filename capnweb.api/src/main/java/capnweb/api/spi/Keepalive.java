package capnweb.api.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's watch over one WebSocket peer, for transports: every {@link #period()} the
 * transport asks {@link #peerGone()}; if the peer is still there it sends a ping, otherwise it
 * drops the connection. It calls {@link #heard()} for every frame the peer sends, pongs included.
 * So a peer that answers pings keeps a quiet session open, and one that answers nothing for the
 * idle timeout is let go. Thread-safe.
 */
public final class Keepalive {
    private final Duration idleTimeout;
    private final long idleNanos;
    private final Duration period;
    /** Written for every frame: with release semantics, no fence on the receiving path. */
    private final AtomicLong lastHeard = new AtomicLong(System.nanoTime());

    private Keepalive(Duration idleTimeout, Duration period) {
        this.idleTimeout = idleTimeout;
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
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (pingInterval.isZero() || pingInterval.isNegative() || idleTimeout.isZero() || idleTimeout.isNegative()) {
            return Optional.empty();
        }
        // At least two pings within the idle timeout, so that one lost to timing costs nothing.
        Duration half = idleTimeout.dividedBy(2);
        Duration period = pingInterval.compareTo(half) < 0 ? pingInterval : half;
        return Optional.of(new Keepalive(idleTimeout, period.isZero() ? Duration.ofMillis(1) : period));
    }

    /** @return how often to check on the peer and ping it */
    public Duration period() {
        return period;
    }

    /** The peer sent a frame: it is there. */
    public void heard() {
        lastHeard.lazySet(System.nanoTime());
    }

    /** @return whether the peer sent nothing, not even a pong, for the idle timeout */
    public boolean peerGone() {
        return System.nanoTime() - lastHeard.get() >= idleNanos;
    }

    /** @return why the connection is dropped, for the log */
    public String goneReason() {
        return "The WebSocket peer sent nothing, not even an answer to a ping, for " + idleTimeout
                + " (ServerOptions.idleTimeout); dropping its connection.";
    }
}
