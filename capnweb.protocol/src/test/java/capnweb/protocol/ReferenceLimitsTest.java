package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reference's limits test cases (__tests__/limits.test.ts), run against a session. */
@Timeout(20)
class ReferenceLimitsTest {

    private static String nestedEscapedArrays(int depth) {
        return "[[".repeat(depth) + "1" + "]]".repeat(depth);
    }

    private static String nestedCallArgs(int depth) {
        return "[\"pipeline\",0,[\"echo\"],[".repeat(depth) + "1" + "]]".repeat(depth);
    }

    /** Pushes one expression and reports the messages the session sent after a pull. */
    private static List<String> push(String expression, SessionOptions options) {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget(), options)) {
            peer.send("[\"push\"," + expression + "]");
            return peer.drainReceived();
        }
    }

    private static void assertNoAbort(String expression, SessionOptions options) {
        assertThat(push(expression, options)).noneMatch(m -> m.startsWith("[\"abort\""));
    }

    private static void assertAbortMentions(String expression, SessionOptions options, String text) {
        assertThat(push(expression, options)).anySatisfy(m -> assertThat(m).startsWith("[\"abort\"").contains(text));
    }

    @Test
    void perSessionBigintLimit() {
        SessionOptions four = SessionOptions.builder().maxBigIntDigits(4).build();
        assertNoAbort("[\"bigint\",\"1234\"]", four);
        assertAbortMentions("[\"bigint\",\"12345\"]", four, "bigint exceeds maximum length");
        assertNoAbort("[\"bigint\",\"-123\"]", four);
        assertAbortMentions("[\"bigint\",\"-1234\"]", four, "bigint exceeds maximum length");
        assertNoAbort("[\"bigint\",\"12345\"]", SessionOptions.defaults());
    }

    @Test
    void perSessionDepthLimit() {
        String deep = nestedEscapedArrays(10);
        assertAbortMentions(deep, SessionOptions.builder().maxDepth(4).build(), "maximum allowed message depth");
        assertNoAbort(deep, SessionOptions.defaults());
    }

    @Test
    void depthIsNotResetAcrossNestedCallArguments() {
        assertAbortMentions(nestedCallArgs(8), SessionOptions.builder().maxDepth(8).build(),
                "maximum allowed message depth");
    }

    @Test
    void nestedCallArgumentsWithinTheDefaultLimitAreAccepted() {
        assertNoAbort(nestedCallArgs(64), SessionOptions.defaults());
    }

    @Test
    void nearLimitArgumentsThatTheReferenceCanSendAreAccepted() {
        // serialize([appArg])[0] for appArg nested 254 escaped arrays deep.
        String wireArgs = "[" + nestedEscapedArrays(254) + "]";
        assertNoAbort("[\"pipeline\",0,[\"echo\"]," + wireArgs + "]", SessionOptions.defaults());
        assertAbortMentions(nestedEscapedArrays(261), SessionOptions.defaults(), "maximum allowed message depth");
    }

    @Test
    void messageSizeLimit() {
        SessionOptions small = SessionOptions.builder().maxMessageSize(1024).build();
        assertAbortMentions("\"" + "x".repeat(2000) + "\"", small, "exceeds maximum size");
        assertNoAbort("\"small\"", small);
    }
}
