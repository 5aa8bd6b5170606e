package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.SessionOptions;
import com.google.gson.JsonArray;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames a well-behaved peer never sends. Each must make the Java side send
 * {@code ["abort", ["error", type, message]]} naming the problem and abort its transport, without
 * hanging anything and without harming another session. Where the reference (capnweb 0.12.0) has
 * a fixed message, the exact message is the one its RpcSession sent for the same frame.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireHostileTest {

    /** {frame, error type, exact message the reference aborts with}. */
    static Stream<Arguments> referenceAborts() {
        return Stream.of(
                // not an array, or no known message type, or the wrong arity or argument types
                Arguments.of("\"hello\"", "Error", "bad RPC message: \"hello\""),
                Arguments.of("42", "Error", "bad RPC message: 42"),
                Arguments.of("null", "Error", "bad RPC message: null"),
                Arguments.of("{\"push\":1}", "Error", "bad RPC message: {\"push\":1}"),
                Arguments.of("[]", "Error", "bad RPC message: []"),
                Arguments.of("[\"bogus\"]", "Error", "bad RPC message: [\"bogus\"]"),
                Arguments.of("[\"bogus\",1,2]", "Error", "bad RPC message: [\"bogus\",1,2]"),
                Arguments.of("[\"push\"]", "Error", "bad RPC message: [\"push\"]"),
                Arguments.of("[\"stream\"]", "Error", "bad RPC message: [\"stream\"]"),
                Arguments.of("[\"pull\"]", "Error", "bad RPC message: [\"pull\"]"),
                Arguments.of("[\"pull\",\"x\"]", "Error", "bad RPC message: [\"pull\",\"x\"]"),
                Arguments.of("[\"release\",0]", "Error", "bad RPC message: [\"release\",0]"),
                Arguments.of("[\"release\",0,\"x\"]", "Error", "bad RPC message: [\"release\",0,\"x\"]"),
                Arguments.of("[\"release\",\"0\",1]", "Error", "bad RPC message: [\"release\",\"0\",1]"),
                Arguments.of("[\"resolve\",5]", "Error", "bad RPC message: [\"resolve\",5]"),
                Arguments.of("[\"reject\",\"a\",1]", "Error", "bad RPC message: [\"reject\",\"a\",1]"),
                // unknown ids on the Java side's export table
                Arguments.of("[\"pull\",5]", "Error", "no such export ID: 5"),
                Arguments.of("[\"release\",7,1]", "Error", "no such export ID: 7"),
                Arguments.of("[\"release\",-3,1]", "Error", "no such export ID: -3"),
                // pull and release written otherwise than exactly (the text shortcut) read the same
                Arguments.of("[ \"pull\" , 5 ]", "Error", "no such export ID: 5"),
                Arguments.of("[\"pull\",5.0]", "Error", "no such export ID: 5"),
                // extra elements are ignored, as the reference ignores them
                Arguments.of("[\"pull\",5,6]", "Error", "no such export ID: 5"),
                Arguments.of("[\"release\",-3,1e0]", "Error", "no such export ID: -3"),
                Arguments.of("[\"release\",7,1,1]", "Error", "no such export ID: 7"),
                Arguments.of("[\"push\",[\"pipeline\",9,[\"x\"],[]]]", "Error", "no such entry on exports table: 9"),
                Arguments.of("[\"push\",[\"import\",-5]]", "Error", "no such entry on exports table: -5"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"pipeline\",4]]]]", "Error",
                        "no such entry on exports table: 4"),
                Arguments.of("[\"push\",[\"remap\",3,[],[],[[\"pipeline\",0]]]]", "Error",
                        "no such entry on exports table: 3"),
                // releasing more than was introduced
                Arguments.of("[\"release\",0,2]", "Error", "refcount would go negative: 1 < 2"),
                // expressions that do not evaluate
                Arguments.of("[\"push\",[\"bogus\",1]]", "TypeError", "unknown special value: [\"bogus\",1]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"date\"]]]]", "TypeError",
                        "unknown special value: [\"date\"]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"error\"]]]]", "TypeError",
                        "unknown special value: [\"error\"]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"undefined\",1]]]]", "TypeError",
                        "unknown special value: [\"undefined\",1]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"error\",\"Error\",\"m\",null,42]]]]", "TypeError",
                        "unknown special value: [\"error\",\"Error\",\"m\",null,42]"),
                Arguments.of("[\"push\",[\"bytes\",\"AA\",\"Foo\"]]", "TypeError", "Unknown bytes type marker: Foo"),
                Arguments.of("[\"push\",[\"bytes\",\"AA\",\"Int16Array\"]]", "TypeError",
                        "Invalid byte length 1 for Int16Array; expected a multiple of 2"),
                Arguments.of("[\"push\",[\"remap\",0,[],[[\"bogus\",1]],[]]]", "TypeError",
                        "unknown map capture: [\"bogus\",1]"),
                Arguments.of("[\"push\",[\"remap\",0,[],[[\"import\",99]],[]]]", "Error",
                        "no such entry on exports table: 99"),
                Arguments.of("[\"push\",[\"remap\",0,[],\"x\",[]]]", "TypeError",
                        "unknown special value: [\"remap\",0,[],\"x\",[]]"),
                // malformed import/pipeline/export expressions
                Arguments.of("[\"push\",[\"pipeline\",0,\"notAnArray\",[]]]", "TypeError",
                        "unknown special value: [\"pipeline\",0,\"notAnArray\",[]]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[{}]]]", "TypeError",
                        "unknown special value: [\"pipeline\",0,[{}]]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],\"x\"]]", "TypeError",
                        "unknown special value: [\"pipeline\",0,[\"echo\"],\"x\"]"),
                Arguments.of("[\"push\",[\"pipeline\",\"0\"]]", "TypeError",
                        "unknown special value: [\"pipeline\",\"0\"]"),
                Arguments.of("[\"push\",[\"export\",\"x\"]]", "TypeError", "unknown special value: [\"export\",\"x\"]"),
                // value expressions with parameters of the wrong type
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bytes\",5]]]]", "TypeError",
                        "unknown special value: [\"bytes\",5]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"url\",5]]]]", "TypeError",
                        "unknown special value: [\"url\",5]"),
                Arguments.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"date\",\"x\"]]]]", "TypeError",
                        "unknown special value: [\"date\",\"x\"]"));
    }

    @ParameterizedTest(name = "{0} -> abort {1}: {2}")
    @MethodSource("referenceAborts")
    void frameIsAbortedWithTheReferenceMessage(String frame, String type, String message) {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject(frame);
            conn.peer().expectAbort(type, message);
            conn.peer().expectNothing();
            assertThat(conn.session().isOpen()).isFalse();
            assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        }
    }

    @ParameterizedTest(name = "[{index}] malformed frame <{0}>")
    @ValueSource(strings = {"{not json", "[\"push\",", "[1,2", "", "\u0000", "[\"pull\",05]", "[\"release\",0,01]",
        "[\"pull\",1]]"})
    void malformedJsonIsAborted(String frame) {
        // The reference aborts with JSON.parse's SyntaxError, whose wording is V8's.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject(frame);
            conn.peer().expectAbortMentioning("JSON");
        }
    }

    @ParameterizedTest(name = "release refcount {0}")
    @ValueSource(strings = {"-1", "0.5", "1e400", "9007199254740993"})
    void bogusRefcountIsAborted(String refcount) {
        // The reference checks only that the count is a number not larger than the entry's
        // (src/rpc.ts releaseExport): it silently accepts -1, which would grow the count. The
        // Java side must refuse anything that is not a positive whole count it holds.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"release\",0," + refcount + "]");
            conn.peer().expectAbortMentioning("refcount");
        }
    }

    /**
     * The peer resolves its promise to our export whose value holds that same promise. Reading
     * the value then reads the promise, which reads the value again: without a bound, one session
     * task chained such reads for ever and took the JVM's heap with it. The cycle is rejected; the
     * session carries on, as the reference's does (where the cycle simply never resolves).
     */
    @Test
    void promisesThatResolveToOneAnotherAreRejectedAndTheSessionCarriesOn() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"promise\",-2]]]]", "[\"pull\",1]",
                    "[\"resolve\",-2,[\"import\",1]]");
            conn.peer().expect("[\"release\",-2,1]");
            conn.peer().expect("[\"resolve\",1,[\"export\",-1]]");
            conn.peer().inject("[\"push\",[\"pipeline\",1,[\"x\"],[]]]", "[\"pull\",2]");
            conn.peer().expect("[\"reject\",2,[\"error\",\"Error\",\"A promise's resolution leads back to the promise "
                    + "itself (more than " + PromiseHook.MAX_CHAIN + " promises chained); the peer's promises "
                    + "resolve to one another in a cycle.\"]]");
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",3]");
            conn.peer().expect("[\"resolve\",3,9]");
        }
    }

    @Test
    void pipeIsAcceptedAndAStreamCallOnATargetWithoutWriteRejects() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"pipe\"]");
            conn.peer().expectNothing();
            conn.peer().inject("[\"stream\",[\"pipeline\",0,[\"write\"],[1]]]");
            conn.peer().expect("[\"reject\",2,[\"error\",\"TypeError\",\"'write' is not a function.\"]]");
            conn.peer().inject("[\"stream\",[\"pipeline\",1,[\"flush\"],[]]]");
            conn.peer().expect("[\"reject\",3,[\"error\",\"Error\",\"Unknown WritableStream method: flush\"]]");
        }
    }

    @Test
    void oversizeMessageIsAbortedWithTheReferenceMessage() {
        SessionOptions options = SessionOptions.builder().maxMessageSize(64).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[\"" + "x".repeat(100) + "\"]]]");
            conn.peer().expectAbort("TypeError", "Incoming message exceeds maximum size of 64 UTF-16 code units.");
        }
    }

    @Test
    void sizeIsCheckedBeforeTheMessageIsParsed() {
        // Reference exchange "oversize garbage": the size check comes first.
        SessionOptions options = SessionOptions.builder().maxMessageSize(64).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("{" + "x".repeat(100));
            conn.peer().expectAbort("TypeError", "Incoming message exceeds maximum size of 64 UTF-16 code units.");
        }
    }

    @Test
    void bigintLimitAppliesInsideNestedValues() {
        SessionOptions options = SessionOptions.builder().maxBigIntDigits(5).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[{\"a\":[[[\"bigint\",\"123456\"]]]}]]]");
            conn.peer().expectAbort("TypeError", "Deserialized bigint exceeds maximum length of 5 digits.");
        }
    }

    @Test
    void messageOfExactlyTheLimitIsAccepted() {
        // 37 characters of frame around 27 of payload: 64 UTF-16 code units.
        SessionOptions options = SessionOptions.builder().maxMessageSize(64).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            String frame = "[\"push\",[\"pipeline\",0,[\"echo\"],[\"" + "x".repeat(27) + "\"]]]";
            assertThat(frame).hasSize(64);
            conn.peer().inject(frame, "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,\"" + "x".repeat(27) + "\"]");
        }
    }

    @Test
    void sizeIsCountedInUtf16CodeUnitsNotBytesOrCodePoints() {
        SessionOptions options = SessionOptions.builder().maxMessageSize(64).build();
        String emoji = "\ud83d\ude00"; // one code point, two code units, four UTF-8 bytes
        // 13 emoji + 1 char = 27 code units: exactly 64 in all, although 90 bytes in UTF-8
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            String payload = emoji.repeat(13) + "x";
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[\"" + payload + "\"]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,\"" + payload + "\"]");
        }
        // 14 emoji = 28 code units: 65 in all, although only 51 code points
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[\"" + emoji.repeat(14) + "\"]]]");
            conn.peer().expectAbort("TypeError", "Incoming message exceeds maximum size of 64 UTF-16 code units.");
        }
    }

    @Test
    void tooDeepNestingIsAbortedAtTheDefaultLimit() {
        String deep = "1";
        for (int i = 0; i < 300; i++) {
            deep = "[[" + deep + "]]";
        }
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + deep + "]]]", "[\"pull\",1]");
            conn.peer().expectAbort("TypeError", "Deserialization exceeded maximum allowed message depth of 256.");
        }
    }

    @Test
    void extremelyDeepNestingIsAbortedWithoutOverflowingTheStack() {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\"," + deep + "]");
            // the reference parses it and then refuses it for its depth, with the message above;
            // any message that says the nesting is too deep will do here
            JsonArray error = conn.peer().expectAbortMentioning();
            assertThat(error.get(2).getAsString()).containsAnyOf("depth", "Nesting", "nesting");
        }
    }

    @Test
    void nestingWithinTheDepthLimitIsAcceptedThoughItsJsonIsTwiceAsDeep() {
        // 200 escaped arrays are 400 levels of JSON brackets but only 201 levels of expression;
        // the reference accepts them (a JSON parser's own nesting limit must not cut in first).
        String deep = "1";
        for (int i = 0; i < 200; i++) {
            deep = "[[" + deep + "]]";
        }
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + deep + "]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1," + deep + "]");
        }
    }

    /**
     * The depth as the reference counts it (serialize.ts Evaluator): the pushed expression is at
     * depth 0, a call's arguments at depth 1, and every array element or object member one more;
     * a value at depth {@code maxDepth} is refused.
     */
    static Stream<Arguments> depthBoundary() {
        return Stream.of(
                Arguments.of("[\"pipeline\",0,[\"echo\"],[[[[[1]]]]]]", true),
                Arguments.of("[\"pipeline\",0,[\"echo\"],[[[[[[[1]]]]]]]]", false),
                Arguments.of("[\"pipeline\",0,[\"echo\"],[{\"a\":{\"a\":1}}]]", true),
                Arguments.of("[\"pipeline\",0,[\"echo\"],[{\"a\":{\"a\":{\"a\":1}}}]]", false),
                Arguments.of("{\"a\":{\"a\":{\"a\":1}}}", true),
                Arguments.of("{\"a\":{\"a\":{\"a\":{\"a\":1}}}}", false));
    }

    @ParameterizedTest(name = "maxDepth 4: {0} accepted={1}")
    @MethodSource("depthBoundary")
    void depthLimitIsCountedLikeTheReference(String expression, boolean accepted) {
        SessionOptions options = SessionOptions.builder().maxDepth(4).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"push\"," + expression + "]", "[\"pull\",1]");
            if (accepted) {
                String frame = conn.peer().nextRaw();
                assertThat(frame).startsWith("[\"resolve\",1,");
            } else {
                conn.peer().expectAbort("TypeError", "Deserialization exceeded maximum allowed message depth of 4.");
            }
        }
    }

    @Test
    void bigintOfExactlyTheDigitLimitIsAccepted() {
        SessionOptions options = SessionOptions.builder().maxBigIntDigits(5).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\"12345\"]]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,[\"bigint\",\"12345\"]]");
        }
    }

    @ParameterizedTest(name = "bigint {0} over 5 digits")
    @ValueSource(strings = {"123456", "-12345"})
    void bigintLongerThanTheLimitIsAborted(String digits) {
        // serialize.ts measures the string's length, sign included (its comment says the sign is
        // excluded; the code is what peers see, so "-12345" is over a limit of 5).
        SessionOptions options = SessionOptions.builder().maxBigIntDigits(5).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\"" + digits + "\"]]]]", "[\"pull\",1]");
            conn.peer().expectAbort("TypeError", "Deserialized bigint exceeds maximum length of 5 digits.");
        }
    }

    @Test
    void bigintAtTheDefaultLimitIsAcceptedAndOneMoreDigitIsNot() {
        String ok = "9".repeat(SessionOptions.DEFAULT_MAX_BIGINT_DIGITS);
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\"" + ok + "\"]]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,[\"bigint\",\"" + ok + "\"]]");
        }
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\"" + ok + "9\"]]]]");
            conn.peer().expectAbort("TypeError", "Deserialized bigint exceeds maximum length of 16384 digits.");
        }
    }

    @Test
    void bigintThatIsNotDecimalIsAborted() {
        // The reference aborts with BigInt()'s SyntaxError "Cannot convert 1x to a BigInt".
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\"1x\"]]]]");
            conn.peer().expectAbortMentioning("1x");
        }
    }

    @ParameterizedTest(name = "{0} is ignored")
    @ValueSource(strings = {"[\"resolve\",99,1]", "[\"reject\",99,[\"error\",\"Error\",\"x\"]]"})
    void resolutionOfAnUnknownImportIsIgnored(String frame) {
        // src/rpc.ts: an unknown import id in resolve/reject is most likely one already released,
        // so the reference ignores it rather than aborting.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject(frame);
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,9]");
            assertThat(conn.peer().isAborted()).isFalse();
        }
    }

    @Test
    void peerAbortEndsTheSessionWithoutAnAnswer() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"abort\",[\"error\",\"Error\",\"bye\"]]");
            conn.peer().awaitEnded();
            conn.peer().expectNothing();
            assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
            assertThat(conn.session().isOpen()).isFalse();
        }
    }

    @Test
    void pendingJavaCallsRejectWhenTheSessionIsAbortedForBadInput() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            RpcPromise p = conn.session().main().call("square", 2);
            CompletableFuture<Object> f = p.toCompletableFuture();
            peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
            peer.expect("[\"pull\",1]");
            peer.inject("[\"bogus\"]");
            peer.expectAbort("Error", "bad RPC message: [\"bogus\"]");
            assertThat(f).failsWithin(RawPeer.WAIT).withThrowableThat().havingCause()
                    .isInstanceOf(RpcException.class)
                    .withMessageContaining("bad RPC message");
            // calls after the abort fail at once and send nothing
            CompletableFuture<Object> after = conn.session().main().call("square", 3).toCompletableFuture();
            assertThat(after).failsWithin(RawPeer.WAIT);
            peer.expectNothing();
        }
    }

    @Test
    void framesAfterAnAbortAreIgnored() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"bogus\"]");
            conn.peer().expectAbort("Error", "bad RPC message: [\"bogus\"]");
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]", "[\"bogus\"]");
            conn.peer().expectNothing();
        }
    }

    @Test
    void exportsAreReleasedWhenTheSessionIsAbortedForBadInput() {
        WireTargets.Main main = new WireTargets.Main();
        try (RawPeer.Connected conn = RawPeer.connect(main)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,[\"export\",-1]]");
            conn.peer().inject("[\"pull\",77]");
            conn.peer().expectAbort("Error", "no such export ID: 77");
            RawPeer.eventually("the exported counter is closed", () -> main.made.get(0).closes.get() == 1);
        }
    }

    @Test
    void pendingTargetCallsDoNotKeepAnAbortedSessionAlive() {
        WireTargets.Main main = new WireTargets.Main();
        try (RawPeer.Connected conn = RawPeer.connect(main)) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]", "[\"pull\",1]");
            conn.peer().inject("[\"bogus\"]");
            conn.peer().expectAbort("Error", "bad RPC message: [\"bogus\"]");
            assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
            // a late result of the abandoned call is not sent
            main.hanging.complete("late");
            conn.peer().expectNothing();
        }
    }

    @Test
    void anotherSessionKeepsWorkingWhileOneIsAborted() {
        try (RawPeer.Connected good = RawPeer.connect(new WireTargets.Main());
             RawPeer.Connected bad = RawPeer.connect(new WireTargets.Main())) {
            good.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
            bad.peer().inject("{not json");
            bad.peer().expectAbortMentioning("JSON");
            good.peer().inject("[\"pull\",1]");
            good.peer().expect("[\"resolve\",1,4]");
            good.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",2]");
            good.peer().expect("[\"resolve\",2,9]");
            assertThat(good.session().isOpen()).isTrue();
            assertThat(good.peer().isAborted()).isFalse();
        }
    }

    @Test
    void resolveWithAnExpressionThatDoesNotEvaluateAbortsAndRejectsTheCall() {
        // Reference: the Java side as client; the call rejects with the abort's error.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            CompletableFuture<Object> f = conn.session().main().call("square", 2).toCompletableFuture();
            peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
            peer.expect("[\"pull\",1]");
            peer.inject("[\"resolve\",1,[\"bogus\"]]");
            peer.expectAbort("TypeError", "unknown special value: [\"bogus\"]");
            assertThat(f).failsWithin(RawPeer.WAIT).withThrowableThat().havingCause()
                    .isInstanceOf(RpcException.class).withMessage("unknown special value: [\"bogus\"]");
        }
    }
}
