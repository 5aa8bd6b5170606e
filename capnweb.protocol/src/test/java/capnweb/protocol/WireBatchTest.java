package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.SessionOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.RpcEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP batch bodies served by the engine found through ServiceLoader: newline-separated messages
 * in, newline-separated messages out, no trailing newline, an empty body for none. The expected
 * bodies are what the reference's newHttpBatchRpcResponse (src/batch.ts) answered to the same
 * request bodies.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireBatchTest {

    private static final String SQUARE_EACH =
            "[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],[\"pipeline\",1]]";

    static Stream<Arguments> batches() {
        return Stream.of(
                Arguments.of("call",
                        lines("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]"),
                        lines("[\"resolve\",1,9]")),
                Arguments.of("empty body", "", ""),
                Arguments.of("unpulled push",
                        lines("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]"), ""),
                Arguments.of("pipelined",
                        lines("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]",
                                "[\"push\",[\"pipeline\",1,[\"increment\"],[2]]]", "[\"pull\",2]"),
                        lines("[\"resolve\",2,7]")),
                Arguments.of("two pulls in pull order",
                        lines("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]",
                                "[\"pull\",2]", "[\"pull\",1]"),
                        lines("[\"resolve\",2,16]", "[\"resolve\",1,9]")),
                Arguments.of("missing method",
                        lines("[\"push\",[\"pipeline\",0,[\"nope\"],[]]]", "[\"pull\",1]"),
                        lines("[\"reject\",1,[\"error\",\"TypeError\",\"'nope' is not a function.\"]]")),
                Arguments.of("exported target",
                        lines("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]", "[\"pull\",1]"),
                        lines("[\"resolve\",1,[\"export\",-1]]")),
                Arguments.of("release in the same batch",
                        lines("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]", "[\"release\",1,1]"),
                        lines("[\"resolve\",1,9]")),
                Arguments.of("remap",
                        lines("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[3]]]",
                                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]"),
                        lines("[\"resolve\",2,[[[\"promise\",-1],[\"promise\",-2],[\"promise\",-3]]]]",
                                "[\"resolve\",-1,0]", "[\"resolve\",-2,1]", "[\"resolve\",-3,1]")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void batchIsAnsweredExactlyAsTheReference(String name, String request, String expected) {
        String body = serve(request);
        assertThat(body).as("no trailing newline").doesNotEndWith("\n");
        assertThat(canonLines(body)).isEqualTo(canonLines(expected));
    }

    @Test
    void badMessageEndsTheBatchWithTheAbortOrFailsIt() {
        // The reference's newHttpBatchRpcResponse throws "bad RPC message: ..." (its HTTP server
        // then answers 500 with no body). Answering with the abort frame instead tells a
        // reference client the same thing (it aborts its session with that error); either is
        // accepted, but nothing else.
        CompletableFuture<String> f = engine().serveBatch(lines("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                "[\"bogus\"]", "[\"pull\",1]"), new WireTargets.Main(), SessionOptions.defaults()).toCompletableFuture();
        try {
            String body = f.get(RawPeer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(canonLines(body)).containsExactly(
                    RawPeer.canon(RawPeer.parse("[\"abort\",[\"error\",\"Error\",\"bad RPC message: [\\\"bogus\\\"]\"]]")));
        } catch (ExecutionException e) {
            assertThat(e.getCause()).hasMessageContaining("bad RPC message: [\"bogus\"]");
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the batch neither completed nor failed", e);
        }
    }

    /**
     * What the server waits for from the client once a batch was read can never come: the client
     * answers only in a later request, and a batch has none. The reference's batch server waits
     * for ever, holding the request; this one rejects what waits with a sentence saying why.
     */
    static Stream<Arguments> batchesThatLeaveTheServerWaitingForTheClient() {
        return Stream.of(
                Arguments.of("a promise of the client's that it never resolves",
                        lines("[\"push\",[\"pipeline\",0,[\"square\"],[[\"promise\",-2]]]]", "[\"pull\",1]"),
                        1, BatchServer.INPUT_ENDED),
                Arguments.of("a pipe the client writes to and never closes",
                        lines("[\"pipe\"]", "[\"stream\",[\"pipeline\",1,[\"write\"],[1]]]",
                                "[\"push\",[\"pipeline\",0,[\"sumStream\"],[[\"readable\",1]]]]", "[\"pull\",3]"),
                        3, BatchServer.INPUT_ENDED),
                Arguments.of("a pipe the client writes to and closes, which nobody reads",
                        lines("[\"pipe\"]", "[\"stream\",[\"pipeline\",1,[\"write\"],[1]]]",
                                "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]"),
                        3, BatchServer.INPUT_ENDED),
                Arguments.of("writes to the client's writable stream",
                        lines("[\"push\",[\"pipeline\",0,[\"writeTo\"],[[\"writable\",-1],2]]]", "[\"pull\",1]"),
                        1, BatchServer.CANNOT_WAIT),
                Arguments.of("a stream message on a result that writes to the client",
                        lines("[\"push\",[\"pipeline\",0,[\"writeTo\"],[[\"writable\",-1],2]]]",
                                "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]"),
                        2, BatchServer.CANNOT_WAIT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchesThatLeaveTheServerWaitingForTheClient")
    void batchThatLeavesTheServerWaitingForTheClientIsAnsweredWithARejection(String name, String request, int id,
            String message) {
        String body = serve(request, new StreamTargets.Main());
        // Among the last answers: what else waits (a stream write's result) is rejected at the same
        // moment, in no set order.
        assertThat(canonLines(body)).as(body).contains(RawPeer.canon(RawPeer.parse(
                "[\"reject\"," + id + ",[\"error\",\"Error\"," + Json.write(new com.google.gson.JsonPrimitive(message))
                        + "]]")));
    }

    @Test
    void promiseTheClientResolvesLaterInTheSameBatchIsAwaited() {
        String body = serve(lines("[\"push\",[\"pipeline\",0,[\"square\"],[[\"promise\",-2]]]]", "[\"pull\",1]",
                "[\"resolve\",-2,3]"), new StreamTargets.Main());
        assertThat(canonLines(body)).contains(RawPeer.canon(RawPeer.parse("[\"resolve\",1,9]")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchesThatNeverFinish")
    void batchWhoseClientWentAwayEndsItsSession(String name, String request) throws Exception {
        WireTargets.ClosableMain main = new WireTargets.ClosableMain();
        CompletableFuture<String> answer = engine().serveBatch(request, main, SessionOptions.defaults())
                .toCompletableFuture();
        assertThatThrownBy(() -> answer.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(main.closes).hasValue(0);
        // What a transport does when the connection closes under the request.
        answer.cancel(false);
        RawPeer.eventually("the session ended and closed its main object", () -> main.closes.get() == 1);
    }

    static Stream<Arguments> batchesThatNeverFinish() {
        return Stream.of(
                Arguments.of("a target that never answers",
                        lines("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]", "[\"pull\",1]")),
                // The call's argument is the client's promise, resolved to that call's own result.
                Arguments.of("a call waiting for its own result",
                        lines("[\"push\",[\"pipeline\",0,[\"square\"],[[\"promise\",-1]]]]",
                                "[\"resolve\",-1,[\"pipeline\",1]]", "[\"pull\",1]")));
    }

    @Test
    void eachBatchHasItsOwnSession() {
        String first = serve(lines("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]", "[\"pull\",1]"));
        String second = serve(lines("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[6]]]", "[\"pull\",1]"));
        assertThat(first).isEqualTo(second);
    }

    private static RpcEngine engine() {
        return ProviderRegistry.load().engine();
    }

    private static String serve(String request) {
        return serve(request, new WireTargets.Main());
    }

    private static String serve(String request, Object main) {
        CompletableFuture<String> f = engine().serveBatch(request, main, SessionOptions.defaults())
                .toCompletableFuture();
        assertThat(f).succeedsWithin(RawPeer.WAIT);
        return f.join();
    }

    private static String lines(String... messages) {
        return String.join("\n", messages);
    }

    private static List<String> canonLines(String body) {
        List<String> out = new ArrayList<>();
        if (body.isEmpty()) {
            return out;
        }
        for (String line : body.split("\n", -1)) {
            out.add(RawPeer.canon(RawPeer.parse(line)));
        }
        return out;
    }
}
