package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcException;
import capnweb.api.SessionOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input and receive limits: an abort naming the problem, then the session ends. */
@Timeout(10)
class AbortAndLimitsTest {

    private static void assertAborts(ScriptedPeer peer, String sent, String expectedAbort) {
        peer.send(sent);
        assertThat(peer.next()).isEqualTo(expectedAbort);
        Harness.sync(peer.session);
        assertThat(peer.sessionTransport.abortedWith).as("transport aborted").isNotNull();
        assertThat(peer.session.isOpen()).isFalse();
    }

    @Test
    void malformedJsonAbortsWithSyntaxError() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",");
            assertThat(peer.next()).startsWith("[\"abort\",[\"error\",\"SyntaxError\",");
            Harness.sync(peer.session);
            assertThat(peer.session.isOpen()).isFalse();
        }
    }

    @Test
    void unknownMessageTypeAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "[\"hello\",1]",
                    "[\"abort\",[\"error\",\"Error\",\"bad RPC message: [\\\"hello\\\",1]\"]]");
        }
    }

    @Test
    void messageThatIsNotAnArrayAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "{\"push\":1}",
                    "[\"abort\",[\"error\",\"Error\",\"bad RPC message: {\\\"push\\\":1}\"]]");
        }
    }

    @Test
    void pullOfUnknownExportAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "[\"pull\",5]", "[\"abort\",[\"error\",\"Error\",\"no such export ID: 5\"]]");
        }
    }

    @Test
    void releaseOfUnknownExportAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "[\"release\",-7,1]", "[\"abort\",[\"error\",\"Error\",\"no such export ID: -7\"]]");
        }
    }

    @Test
    void releaseBelowZeroAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
            assertAborts(peer, "[\"release\",1,2]",
                    "[\"abort\",[\"error\",\"Error\",\"refcount would go negative: 1 < 2\"]]");
        }
    }

    @Test
    void negativeReleaseCountAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
            assertAborts(peer, "[\"release\",1,-1]", "[\"abort\",[\"error\",\"Error\",\"bad refcount in release: -1; "
                    + "it must be a positive whole number.\"]]");
        }
    }

    @Test
    void wrongArityAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "[\"release\",1]",
                    "[\"abort\",[\"error\",\"Error\",\"bad RPC message: [\\\"release\\\",1]\"]]");
        }
    }

    @Test
    void referenceToUnknownExportAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "[\"push\",[\"pipeline\",9,[\"x\"],[]]]",
                    "[\"abort\",[\"error\",\"Error\",\"no such entry on exports table: 9\"]]");
        }
    }

    @Test
    void unknownSpecialValueAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            assertAborts(peer, "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"frobnicate\",1]]]]",
                    "[\"abort\",[\"error\",\"TypeError\",\"unknown special value: [\\\"frobnicate\\\",1]\"]]");
        }
    }

    @Test
    void readableOfSomethingThatIsNotAPipeAborts() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"readable\",0]]]]");
            assertThat(peer.next()).isEqualTo("[\"abort\",[\"error\",\"Error\",\"Export 0 is not a pipe or its "
                    + "readable end was already consumed.\"]]");
        }
    }

    @Test
    void oversizedMessageAbortsBeforeParsing() {
        SessionOptions options = SessionOptions.builder().maxMessageSize(20).build();
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget(), options)) {
            assertAborts(peer, "[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                    "[\"abort\",[\"error\",\"TypeError\",\"Incoming message exceeds maximum size of 20 UTF-16 code units.\"]]");
        }
    }

    @Test
    void tooDeepMessageAborts() {
        SessionOptions options = SessionOptions.builder().maxDepth(4).build();
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget(), options)) {
            assertAborts(peer, "[\"push\",[\"pipeline\",0,[\"echo\"],[{\"a\":{\"b\":{\"c\":{\"d\":1}}}}]]]",
                    "[\"abort\",[\"error\",\"TypeError\",\"Deserialization exceeded maximum allowed message depth of 4.\"]]");
        }
    }

    @Test
    void hugelyNestedJsonIsRefusedWithoutOverflowingTheStack() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            String deep = "[".repeat(200_000) + "]".repeat(200_000);
            peer.send(deep);
            assertThat(peer.next()).isEqualTo(
                    "[\"abort\",[\"error\",\"TypeError\",\"Deserialization exceeded maximum allowed message depth of 256.\"]]");
        }
    }

    @Test
    void tooLongBigintAborts() {
        SessionOptions options = SessionOptions.builder().maxBigIntDigits(5).build();
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget(), options)) {
            assertAborts(peer, "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\"123456\"]]]]",
                    "[\"abort\",[\"error\",\"TypeError\",\"Deserialized bigint exceeds maximum length of 5 digits.\"]]");
        }
    }

    @Test
    void otherSessionsCarryOnAfterAnAbort() {
        try (ScriptedPeer bad = new ScriptedPeer(new TestTargets.TestTarget());
             Harness good = new Harness(new TestTargets.TestTarget())) {
            bad.send("garbage");
            assertThat(bad.next()).startsWith("[\"abort\"");
            assertThat(good.main.call("square", 5).join()).isEqualTo(25L);
        }
    }

    @Test
    void pendingCallsRejectWhenThePeerAborts() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            var hanging = h.main.call("callFunction", (capnweb.api.RpcFunction) args -> new java.util.concurrent.CompletableFuture<>(), 1);
            h.main.call("square", 1).join();
            h.server.abort(RpcException.of("Error", "server going away"));
            assertThat(hanging.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("server going away");
        }
    }
}
