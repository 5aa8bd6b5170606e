package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.SessionOptions;
import com.google.gson.JsonArray;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Errors on the wire: rejected calls, their type, message and properties, stack redaction and the
 * onSendError hook, and members a peer must never reach. The reference's messages are quoted from
 * its real answers (src/core.ts: {@code '<path>' is not a function.}).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireErrorsTest {

    private static void call(RawPeer peer, String pipeline) {
        peer.inject("[\"push\",[\"pipeline\"," + pipeline + "]]", "[\"pull\",1]");
    }

    @Test
    void missingMethodRejectsWithTheReferenceTypeError() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"nope\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"TypeError\",\"'nope' is not a function.\"]]");
            // the session goes on
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[5]]]", "[\"pull\",2]");
            conn.peer().expect("[\"resolve\",2,25]");
            assertThat(conn.session().isOpen()).isTrue();
        }
    }

    @Test
    void missingMethodOnAnExportedTargetNamesTheMethod() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"export\",-1]]");
            peer.inject("[\"push\",[\"pipeline\",-1,[\"decrement\"],[1]]]", "[\"pull\",2]");
            peer.expect("[\"reject\",2,[\"error\",\"TypeError\",\"'decrement' is not a function.\"]]");
        }
    }

    @Test
    void callingAPathNamesTheWholePath() {
        // profile.name is a string, not a function: the message joins the path with dots.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"profile\",\"name\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"TypeError\",\"'profile.name' is not a function.\"]]");
        }
    }

    @Test
    void readingAMissingPropertyResolvesToUndefined() {
        // Reference exchange "missing prop": a property read is not a call.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"nope\"]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,[\"undefined\"]]");
        }
    }

    @ParameterizedTest(name = "{0} is not callable")
    @ValueSource(strings = {"getClass", "hashCode", "toString", "equals", "wait", "notify", "notifyAll",
        "finalize", "clone", "secret", "hidden", "field", "constructor", "__proto__"})
    void membersOutsideThePublicInstanceMethodsAreNotFunctions(String member) {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"" + member + "\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"TypeError\",\"'" + member + "' is not a function.\"]]");
        }
    }

    @Test
    void closeOfATargetIsNotCallableRemotely() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"export\",-1]]");
            peer.inject("[\"push\",[\"pipeline\",-1,[\"close\"],[]]]", "[\"pull\",2]");
            peer.expect("[\"reject\",2,[\"error\",\"TypeError\",\"'close' is not a function.\"]]");
        }
    }

    @ParameterizedTest(name = "property {0} reads as undefined")
    @ValueSource(strings = {"class", "field", "secret", "hidden", "toString", "hashCode"})
    void propertiesOutsideThePublicInstanceApiReadAsUndefined(String property) {
        // The reference hides Object.prototype members the same way: the read gives undefined.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"" + property + "\"]]]", "[\"pull\",1]");
            conn.peer().expect("[\"resolve\",1,[\"undefined\"]]");
        }
    }

    @Test
    void rpcExceptionIsSentWithItsTypeAndMessage() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"throwError\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"RangeError\",\"test error\"]]");
        }
    }

    @Test
    void rpcExceptionPropertiesAreSentInTheFiveElementFormWithANullStack() {
        // Reference exchange "throwRich".
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"throwRich\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"RangeError\",\"rich\",null,{\"code\":\"E_RICH\",\"count\":7}]]");
        }
    }

    @Test
    void otherJavaExceptionsAreSentAsErrorWithTheirMessage() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"throwPlain\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"Error\",\"plain failure\"]]");
        }
    }

    @Test
    void onSendErrorSeesTheThrownErrorAndEmptyKeepsTheStackRedacted() {
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        SessionOptions options = SessionOptions.builder().onSendError(e -> {
            seen.add(e);
            return Optional.empty();
        }).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            call(conn.peer(), "0,[\"throwPlain\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"Error\",\"plain failure\"]]");
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0)).isInstanceOf(IllegalStateException.class).hasMessage("plain failure");
        }
    }

    @Test
    void onSendErrorReturningTheErrorSendsItsStack() {
        SessionOptions options = SessionOptions.builder().onSendError(Optional::of).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            call(conn.peer(), "0,[\"throwPlain\"],[]");
            JsonArray frame = conn.peer().next().getAsJsonArray();
            assertThat(frame.get(0).getAsString()).isEqualTo("reject");
            JsonArray error = frame.get(2).getAsJsonArray();
            assertThat(error.size()).as("error %s has a stack", error).isEqualTo(4);
            assertThat(error.get(1).getAsString()).isEqualTo("Error");
            assertThat(error.get(2).getAsString()).isEqualTo("plain failure");
            assertThat(error.get(3).getAsString()).as("the stack names the throwing method").contains("throwPlain");
        }
    }

    @Test
    void onSendErrorCanReplaceTheErrorThatIsSent() {
        SessionOptions options = SessionOptions.builder()
                .onSendError(e -> Optional.of(RpcException.of("Error", "redacted: " + e.getMessage()))).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            call(conn.peer(), "0,[\"throwPlain\"],[]");
            JsonArray error = conn.peer().next().getAsJsonArray().get(2).getAsJsonArray();
            assertThat(error.get(0).getAsString()).isEqualTo("error");
            assertThat(error.get(1).getAsString()).isEqualTo("Error");
            assertThat(error.get(2).getAsString()).isEqualTo("redacted: plain failure");
            assertThat(error.size()).as("a replacement is sent with its stack").isEqualTo(4);
            assertThat(error.get(3).isJsonPrimitive()).isTrue();
        }
    }

    @Test
    void onSendErrorIsAlsoAskedForErrorsSentAsValues() {
        // The reference calls onSendError whenever an Error is serialized, not only when thrown.
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        SessionOptions options = SessionOptions.builder().onSendError(e -> {
            seen.add(e);
            return Optional.empty();
        }).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            call(conn.peer(), "0,[\"echo\"],[[\"error\",\"TypeError\",\"as value\",\"peer stack\"]]");
            conn.peer().expect("[\"resolve\",1,[\"error\",\"TypeError\",\"as value\"]]");
            assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessage("as value"));
        }
    }

    @Test
    void rejectionArrivesAtAJavaCallerAsRpcExceptionAndTheImportIsReleased() {
        // Reference exchange "reject" (client side).
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            RpcPromise p = conn.session().main().call("square", 3);
            peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
            CompletableFuture<Object> f = p.toCompletableFuture();
            peer.expect("[\"pull\",1]");
            peer.inject("[\"reject\",1,[\"error\",\"RangeError\",\"oops\",null,{\"code\":5}]]");
            peer.expect("[\"release\",1,1]");
            assertThat(f).failsWithin(RawPeer.WAIT).withThrowableThat().havingCause()
                    .isInstanceOf(RpcException.class)
                    .satisfies(t -> {
                        RpcException e = (RpcException) t;
                        assertThat(e.type()).isEqualTo("RangeError");
                        assertThat(e.getMessage()).isEqualTo("oops");
                        assertThat(e.properties()).containsExactly(Map.entry("code", 5L));
                    });
            peer.expectNothing();
        }
    }

    @Test
    void joinThrowsTheRpcExceptionItself() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            RpcPromise p = conn.session().main().call("nope");
            peer.expect("[\"push\",[\"pipeline\",0,[\"nope\"],[]]]");
            CompletableFuture<Object> joined = CompletableFuture.supplyAsync(p::join);
            peer.expect("[\"pull\",1]");
            peer.inject("[\"reject\",1,[\"error\",\"TypeError\",\"'nope' is not a function.\"]]");
            assertThat(joined).failsWithin(RawPeer.WAIT).withThrowableThat()
                    .havingCause().isInstanceOf(RpcException.class)
                    .withMessage("'nope' is not a function.");
        }
    }

    @Test
    void causeOfAThrownExceptionTravelsAsTheCauseProperty() {
        // The reference sends Error.cause in the props bag (exchange for
        // new Error("outer", {cause: new TypeError("inner")})).
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"throwWithCause\"],[]");
            conn.peer().expect("[\"reject\",1,[\"error\",\"Error\",\"outer\",null,"
                    + "{\"cause\":[\"error\",\"TypeError\",\"inner\"]}]]");
        }
    }

    @Test
    void abortReasonAlsoGoesThroughOnSendError() {
        // src/rpc.ts devaluates the abort reason with the session as exporter, so onSendError
        // sees it like any other error.
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        SessionOptions options = SessionOptions.builder().onSendError(e -> {
            seen.add(e);
            return Optional.empty();
        }).build();
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main(), options)) {
            conn.peer().inject("[\"bogus\"]");
            conn.peer().expectAbort("Error", "bad RPC message: [\"bogus\"]");
            assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessage("bad RPC message: [\"bogus\"]"));
        }
    }

    @Test
    void extraArgumentsAreIgnoredAsJavaScriptDoes() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"square\"],[3,4,\"extra\"]");
            conn.peer().expect("[\"resolve\",1,9]");
        }
    }

    @Test
    void argumentThatDoesNotConvertRejectsTheCallAndTheSessionGoesOn() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            call(conn.peer(), "0,[\"square\"],[\"abc\"]");
            JsonArray frame = conn.peer().next().getAsJsonArray();
            assertThat(frame.get(0).getAsString()).as("frame %s", frame).isEqualTo("reject");
            assertThat(frame.get(1).getAsInt()).isEqualTo(1);
            JsonArray error = frame.get(2).getAsJsonArray();
            assertThat(error.get(0).getAsString()).isEqualTo("error");
            assertThat(error.size()).as("no stack by default: %s", error).isEqualTo(3);
            assertThat(error.get(2).getAsString()).as("the message names the method").contains("square");
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"square\"],[5]]]", "[\"pull\",2]");
            conn.peer().expect("[\"resolve\",2,25]");
        }
    }

    @ParameterizedTest(name = "{0} on a function is not callable")
    @ValueSource(strings = {"apply", "call", "bind", "getClass", "toString"})
    void membersOfAnExportedFunctionAreNotReachable(String member) {
        // The reference hides Function.prototype members (core.ts followPath); a Java function's
        // interface method and Object's methods are hidden the same way.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"fn\"],[]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"export\",-1]]");
            peer.inject("[\"push\",[\"pipeline\",-1,[\"" + member + "\"],[4]]]", "[\"pull\",2]");
            peer.expect("[\"reject\",2,[\"error\",\"TypeError\",\"'" + member + "' is not a function.\"]]");
        }
    }
}
