package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/** The reference's flow-control cases, on a simulated link with a fake clock. */
class FlowControllerTest {
    private static final int[] CHUNK_SIZES = {32 * 1024, 4 * 1024, 16000, 12345, 16, 9999, 4321, 8};

    /** A link with a round-trip time and a bandwidth; acks arrive in order. */
    static final class Sim {
        double rtt = 100;
        double bandwidth = 10 * 1024;
        double t;
        boolean blocked;
        double linkOccupiedUntil;
        final FlowController fc = new FlowController(() -> t);
        final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();

        double bdp() {
            return rtt * bandwidth;
        }

        void send(double size) {
            linkOccupiedUntil = Math.max(linkOccupiedUntil, t) + size / bandwidth;
            FlowController.SendToken token = fc.onSend(size);
            inFlight.add(new Object[] {token, linkOccupiedUntil + rtt});
            blocked = token.windowFullAtSend();
        }

        int fillWindow(double chunk) {
            int count = 0;
            while (!blocked) {
                count++;
                send(chunk);
            }
            return count;
        }

        void waitForNextAck() {
            Object[] e = inFlight.poll();
            if (e != null) {
                t = (Double) e[1];
                if (fc.onAck((FlowController.SendToken) e[0])) {
                    blocked = false;
                }
            }
        }

        void saturateFor(double duration) {
            double end = t + duration;
            int i = 0;
            while (t < end) {
                if (blocked) {
                    waitForNextAck();
                } else {
                    send(CHUNK_SIZES[i++ % CHUNK_SIZES.length]);
                }
            }
            while (!inFlight.isEmpty()) {
                waitForNextAck();
            }
        }
    }

    @Test
    void blocksWhenWindowIsFull() {
        Sim sim = new Sim();
        assertThat(sim.fillWindow(64 * 1024)).isEqualTo(4);
        assertThat(sim.fc.bytesInFlight).isEqualTo(FlowController.INITIAL_WINDOW);
    }

    @Test
    void unblocksAfterAnAckFreesSpace() {
        Sim sim = new Sim();
        sim.send(64 * 1024);
        sim.t = 1;
        sim.send(64 * 1024);
        sim.t = 2;
        sim.send(64 * 1024);
        sim.t = 3;
        assertThat(sim.blocked).isFalse();
        sim.send(64 * 1024);
        assertThat(sim.blocked).isTrue();
        sim.waitForNextAck();
        assertThat(sim.fc.bytesInFlight).isEqualTo(192 * 1024);
    }

    @Test
    void windowGrowsDuringStartup() {
        Sim sim = new Sim();
        sim.saturateFor(sim.rtt * 5);
        assertThat(sim.fc.window).isGreaterThan(FlowController.INITIAL_WINDOW).isGreaterThan(sim.bdp());
    }

    @Test
    void startupEndsOnceGrowthPlateaus() {
        Sim sim = new Sim();
        assertThat(sim.fc.inStartupPhase).isTrue();
        sim.saturateFor(sim.rtt * 50);
        assertThat(sim.fc.inStartupPhase).isFalse();
    }

    @Test
    void steadyStateWindowConvergesNearTheBandwidthDelayProduct() {
        Sim sim = new Sim();
        sim.saturateFor(sim.rtt * 50);
        assertThat(sim.fc.window).isBetween(sim.bdp() * 1.2, sim.bdp() * 1.3);
        sim.saturateFor(sim.rtt * 20);
        assertThat(sim.fc.window).isBetween(sim.bdp() * 1.2, sim.bdp() * 1.3);
    }

    @Test
    void windowDoesNotShrinkWhenTheWriterIsSlow() {
        Sim sim = new Sim();
        sim.saturateFor(sim.rtt * 50);
        double after = sim.fc.window;
        for (int i = 0; i < 50; i++) {
            sim.send(1024);
            sim.waitForNextAck();
        }
        assertThat(sim.fc.window).isEqualTo(after);
    }

    @Test
    void windowShrinksWhenTheLinkSlowsDown() {
        Sim sim = new Sim();
        sim.saturateFor(sim.rtt * 50);
        assertThat(sim.fc.window).isGreaterThan(sim.bdp());
        sim.bandwidth /= 4;
        sim.saturateFor(sim.rtt * 200);
        assertThat(sim.fc.window).isLessThan(sim.bdp() * 2);
    }

    @Test
    void aFailedWriteLeavesTheWindowAlone() {
        Sim sim = new Sim();
        FlowController.SendToken token = sim.fc.onSend(64 * 1024);
        double before = sim.fc.window;
        sim.fc.onError(token);
        assertThat(sim.fc.bytesInFlight).isZero();
        assertThat(sim.fc.window).isEqualTo(before);
    }

    @Test
    void windowAtMostDoublesPerRoundTripDuringStartup() {
        Sim sim = new Sim();
        sim.fillWindow(64 * 1024);
        sim.waitForNextAck();
        double before = sim.fc.window;
        sim.fillWindow(64 * 1024);
        while (!sim.inFlight.isEmpty()) {
            sim.waitForNextAck();
        }
        assertThat(sim.fc.window).isLessThanOrEqualTo(before * 2 + 1);
    }

    @Test
    void windowNeverFallsBelowTheMinimum() {
        Sim sim = new Sim();
        sim.rtt = 1;
        sim.bandwidth = 1;
        sim.saturateFor(10000000);
        assertThat(sim.fc.window).isEqualTo(FlowController.MIN_WINDOW);
    }
}
