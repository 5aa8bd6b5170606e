package capnweb.protocol;

import java.util.function.DoubleSupplier;

/**
 * The reference's window-based flow control for stream writes: it estimates the stream's
 * bandwidth-delay product from the times writes are sent and acknowledged, and sets the window
 * (bytes in flight before the writer must wait) to that estimate times a growth factor, so that
 * the writer always probes for a little more bandwidth. During startup the window may double
 * per round trip; once it stops growing for a few rounds it grows by at most 25% and shrinks by
 * at most 10% per round trip. Not thread-safe: used on the session executor.
 */
final class FlowController {
    static final double INITIAL_WINDOW = 256 * 1024;
    static final double MAX_WINDOW = 1024.0 * 1024 * 1024;
    static final double MIN_WINDOW = 64 * 1024;
    private static final double STARTUP_GROWTH_FACTOR = 2;
    private static final double STEADY_GROWTH_FACTOR = 1.25;
    private static final double DECAY_FACTOR = 0.90;
    private static final int STARTUP_EXIT_ROUNDS = 3;

    /** What {@link #onSend} remembers about one write, for {@link #onAck}. */
    record SendToken(double sentTime, double size, double deliveredAtSend, double deliveredTimeAtSend,
            double windowAtSend, boolean windowFullAtSend) {
    }

    private final DoubleSupplier now;

    double window = INITIAL_WINDOW;
    double bytesInFlight;
    boolean inStartupPhase = true;

    private double delivered;
    private double deliveredTime;
    private double firstAckTime;
    private double firstAckDelivered;
    private double minRtt = Double.POSITIVE_INFINITY;
    private int roundsWithoutIncrease;
    private double lastRoundWindow;
    private double roundStartTime;

    /** @param now the clock, in milliseconds */
    FlowController(DoubleSupplier now) {
        this.now = now;
    }

    /** A write of {@code size} bytes goes out; the token says whether the writer must now wait. */
    SendToken onSend(double size) {
        bytesInFlight += size;
        return new SendToken(now.getAsDouble(), size, delivered, deliveredTime, window, bytesInFlight >= window);
    }

    /** A write failed: it is no longer in flight, and says nothing about bandwidth. */
    void onError(SendToken token) {
        bytesInFlight -= token.size();
    }

    /** A write was acknowledged; returns whether a waiting writer may go on. */
    boolean onAck(SendToken token) {
        double ackTime = now.getAsDouble();
        delivered += token.size();
        deliveredTime = ackTime;
        bytesInFlight -= token.size();
        minRtt = Math.min(minRtt, ackTime - token.sentTime());

        if (firstAckTime == 0) {
            // The first ack: bandwidth needs the interval between two acks.
            firstAckTime = ackTime;
            firstAckDelivered = delivered;
        } else {
            double baseTime;
            double baseDelivered;
            if (token.deliveredTimeAtSend() == 0) {
                // Sent before any ack arrived, but not the first write: measure from the first ack.
                baseTime = firstAckTime;
                baseDelivered = firstAckDelivered;
            } else {
                baseTime = token.deliveredTimeAtSend();
                baseDelivered = token.deliveredAtSend();
            }
            double bandwidth = (delivered - baseDelivered) / (ackTime - baseTime);
            double growth = inStartupPhase ? STARTUP_GROWTH_FACTOR : STEADY_GROWTH_FACTOR;
            double newWindow = bandwidth * minRtt * growth;
            newWindow = Math.min(newWindow, token.windowAtSend() * growth);
            if (token.windowFullAtSend()) {
                newWindow = Math.max(newWindow, token.windowAtSend() * DECAY_FACTOR);
            } else {
                // The writer did not fill the window: no reason to shrink it.
                newWindow = Math.max(newWindow, window);
            }
            window = Math.max(Math.min(newWindow, MAX_WINDOW), MIN_WINDOW);

            if (inStartupPhase && token.sentTime() >= roundStartTime) {
                if (window > lastRoundWindow * STEADY_GROWTH_FACTOR) {
                    roundsWithoutIncrease = 0;
                } else if (++roundsWithoutIncrease >= STARTUP_EXIT_ROUNDS) {
                    inStartupPhase = false;
                }
                roundStartTime = ackTime;
                lastRoundWindow = window;
            }
        }
        return bytesInFlight < window;
    }
}
