package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exact messages of the basic flows, as the reference client sends and expects them. */
@Timeout(10)
class ProtocolFlowTest {

    @Test
    void pushPullResolveRelease() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]")
                    .expect("[\"resolve\",1,9]");
            assertThat(peer.session.stats()).isEqualTo(new SessionStats(1, 2));
            peer.send("[\"release\",1,1]");
            peer.expectQuiet();
            assertThat(peer.session.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void unpulledResultIsNeverSent() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
            peer.expectQuiet();
            peer.send("[\"release\",1,1]");
            peer.expectQuiet();
            assertThat(peer.session.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void thrownErrorIsRejectedWithoutStack() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"throwError\"],[]]]", "[\"pull\",1]")
                    .expect("[\"reject\",1,[\"error\",\"RangeError\",\"test error\"]]");
        }
    }

    @Test
    void missingMethodRejectsWithTypeError() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"nothingHere\"],[]]]", "[\"pull\",1]")
                    .expect("[\"reject\",1,[\"error\",\"TypeError\",\"'nothingHere' is not a function.\"]]");
        }
    }

    @Test
    void objectMethodsAreNotReachable() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"toString\"],[]]]", "[\"pull\",1]",
                    "[\"push\",[\"pipeline\",0,[\"getClass\"],[]]]", "[\"pull\",2]",
                    "[\"push\",[\"pipeline\",0,[\"hashCode\"]]]", "[\"pull\",3]")
                    .expect("[\"reject\",1,[\"error\",\"TypeError\",\"'toString' is not a function.\"]]",
                            "[\"reject\",2,[\"error\",\"TypeError\",\"'getClass' is not a function.\"]]",
                            "[\"resolve\",3,[\"undefined\"]]");
        }
    }

    @Test
    void returnedTargetIsExportedWithANegativeId() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[4]]]", "[\"pull\",1]")
                    .expect("[\"resolve\",1,[\"export\",-1]]");
            peer.send("[\"release\",1,1]",
                    "[\"push\",[\"pipeline\",-1,[\"increment\"],[2]]]", "[\"pull\",2]")
                    .expect("[\"resolve\",2,6]");
            peer.send("[\"release\",2,1]", "[\"release\",-1,1]");
            peer.expectQuiet();
            assertThat(peer.session.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void pipelinedCallOnAPromiseResult() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[4]]]",
                    "[\"push\",[\"pipeline\",1,[\"increment\"],[5]]]", "[\"pull\",2]")
                    .expect("[\"resolve\",2,9]");
        }
    }

    @Test
    void propertyOfAResultIsReadByPipeline() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[7]]]",
                    "[\"push\",[\"pipeline\",1,[\"value\"]]]", "[\"pull\",2]")
                    .expect("[\"resolve\",2,7]");
        }
    }

    @Test
    void peerFunctionIsCalledWithPushAndPulled() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\",-1],3]]]", "[\"pull\",1]");
            peer.expect("[\"push\",[\"pipeline\",-1,[],[3]]]", "[\"pull\",1]");
            peer.send("[\"resolve\",1,9]");
            // As in the reference, the arguments are released when the call completes, before
            // its result is sent.
            peer.expect("[\"release\",1,1]", "[\"release\",-1,1]", "[\"resolve\",1,{\"result\":9}]");
        }
    }

    @Test
    void resultHoldingAPromiseForThePeersCallIsSentAsPipeline() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            // callSquare(self, 3) where self is one of the peer's own objects.
            peer.send("[\"push\",[\"pipeline\",0,[\"callSquare\"],[[\"export\",-1],3]]]", "[\"pull\",1]");
            peer.expect("[\"push\",[\"pipeline\",-1,[\"square\"],[3]]]", "[\"release\",-1,1]",
                    "[\"resolve\",1,{\"result\":[\"pipeline\",1]}]");
            // Releasing the result releases the promise it held.
            peer.send("[\"release\",1,1]").expect("[\"release\",1,1]");
        }
    }

    @Test
    void streamIsPulledAndReleasedImplicitly() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"stream\",[\"pipeline\",0,[\"square\"],[5]]]").expect("[\"resolve\",1,25]");
            peer.expectQuiet();
            assertThat(peer.session.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void peerAbortEndsTheSessionWithItsError() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"abort\",[\"error\",\"Error\",\"bye\"]]");
            peer.expectQuiet();
            assertThat(peer.session.isOpen()).isFalse();
            assertThat(peer.session.closed().toCompletableFuture()).failsWithin(java.time.Duration.ofSeconds(5))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("bye");
        }
    }
}
