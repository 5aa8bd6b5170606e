package capnweb.protocol;

import static capnweb.protocol.RawPeer.canon;
import static capnweb.protocol.RawPeer.eventually;
import static capnweb.protocol.RawPeer.parse;
import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionStats;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code remap} (the wire form of {@code map()}) applied by the Java side as the server. The
 * instructions are the ones a reference client records (src/map.ts MapBuilder); the expected
 * results are the reference server's.
 *
 * <p>The reference answers a remap over an array with one {@code ["promise", id]} per element
 * followed by a {@code resolve} for each (src/map.ts applyMap builds a payload of promises and
 * src/rpc.ts exports every promise it finds in a result). Most tests here compare the value after
 * substituting such promises, which is what a peer's application sees; the tests named
 * {@code ...ExactlyAsTheReference} pin the reference's frames themselves.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireRemapTest {
    private static final String SQUARE_EACH =
            "[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],[\"pipeline\",1]]";

    private WireTargets.Main main;
    private RawPeer.Connected conn;
    private RawPeer peer;

    @BeforeEach
    void start() {
        main = new WireTargets.Main();
        conn = RawPeer.connect(main);
        peer = conn.peer();
    }

    @AfterEach
    void stop() {
        conn.close();
    }

    @Test
    void remapOverAnArrayAppliesTheInstructionsToEveryElement() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[6]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[0,1,1,4,9,25]]");
        releaseAll(1, 2);
    }

    @Test
    void remapOverAnArraySendsOnePromisePerElementExactlyAsTheReference() {
        // Reference exchange "remap array".
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[6]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,[[[\"promise\",-1],[\"promise\",-2],[\"promise\",-3],[\"promise\",-4],"
                + "[\"promise\",-5],[\"promise\",-6]]]]");
        peer.expectUnordered("[\"resolve\",-1,0]", "[\"resolve\",-2,1]", "[\"resolve\",-3,1]",
                "[\"resolve\",-4,4]", "[\"resolve\",-5,9]", "[\"resolve\",-6,25]");
    }

    @Test
    void remapOverASingleValueResolvesToThePlainResult() {
        // Reference exchange "remap single": not an array, so the mapper runs once and the
        // result is sent as a value.
        peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[7]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,49]");
        releaseAll(1, 2);
    }

    @Test
    void remapOverNullResolvesToNull() {
        // Reference exchange "remap null": the mapper does not run on null.
        peer.inject("[\"push\",[\"pipeline\",0,[\"returnNull\"],[]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,null]");
        releaseAll(1, 2);
    }

    @Test
    void remapOverUndefinedResolvesToUndefined() {
        // Reference exchange "remap undefined".
        peer.inject("[\"push\",[\"pipeline\",0,[\"returnUndefined\"],[]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,[\"undefined\"]]");
        releaseAll(1, 2);
    }

    @Test
    void remapOverAnEmptyArrayResolvesToAnEmptyArray() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[0]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        peer.expect("[\"resolve\",2,[[]]]");
    }

    @Test
    void identityMapperReturnsTheElements() {
        // Reference exchange "remap identity": the only instruction is the input itself.
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[4]]]",
                "[\"push\",[\"remap\",1,[],[],[[\"pipeline\",0]]]]", "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[0,1,1,2]]");
    }

    @Test
    void mapperCanBuildObjectsFromTheInputAndEarlierResults() {
        // Instructions as a reference client records fib.map(i => ({sq: stub.square(i), self: i})).
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[3]]]",
                "[\"push\",[\"remap\",1,[],[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],"
                        + "{\"sq\":[\"pipeline\",1],\"self\":[\"pipeline\",0]}]]]",
                "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[{\"sq\":0,\"self\":0},{\"sq\":1,\"self\":1},{\"sq\":1,\"self\":1}]]");
    }

    @Test
    void instructionsMayUseTheResultsOfEarlierInstructions() {
        // x*x + x for each element; reference exchange "chained instr".
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[4]]]",
                "[\"push\",[\"remap\",1,[],[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],"
                        + "[\"pipeline\",-1,[\"add\"],[[\"pipeline\",1],[\"pipeline\",0]]],[\"pipeline\",2]]]]",
                "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[0,2,2,6]]");
    }

    @Test
    void remapWithAPropertyPathMapsThatProperty() {
        // Reference exchange "remap path".
        peer.inject("[\"push\",[\"pipeline\",0,[\"profile\"]]]",
                "[\"push\",[\"remap\",1,[\"tags\"],[],[{\"t\":[\"pipeline\",0]}]]]", "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[{\"t\":\"x\"},{\"t\":\"y\"}]]");
    }

    @Test
    void captureOfAnExportedTargetIsCalledForEveryElement() {
        // Reference exchange "remap capture counter": the capture ["import",-1] is the counter the
        // Java side exported; each element increments it.
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[0]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[4]]]",
                "[\"push\",[\"remap\",2,[],[[\"import\",-1]],[[\"pipeline\",-1,[\"increment\"],[[\"pipeline\",0]]],"
                        + "[\"pipeline\",1]]]]",
                "[\"pull\",3]");
        assertThat(resolution(3)).isEqualTo("[[0,1,2,4]]");
        assertThat(main.made.get(0).value()).isEqualTo(4);
    }

    @Test
    void nestedRemapAsRecordedByAReferenceClient() {
        // The frame a reference client sends for
        //   fib.map(i => stub.generateFibonacci(i).map(j => stub.generateFibonacci(j)))
        // (captures: main twice; the inner remap captures the outer's capture -2).
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[4]]]",
                "[\"push\",[\"remap\",1,[],[[\"import\",0],[\"import\",0]],[[\"pipeline\",-1,[\"generateFibonacci\"],"
                        + "[[\"pipeline\",0]]],[\"remap\",1,[],[[\"import\",-2]],[[\"pipeline\",-1,[\"generateFibonacci\"],"
                        + "[[\"pipeline\",0]]],[\"pipeline\",1]]],[\"pipeline\",2]]]]",
                "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[[[]],[[[[]]]],[[[[]]]],[[[[]],[[0]]]]]]");
    }

    @Test
    void remapOnARejectedResultRejectsWithThatError() {
        // Reference exchange "remap rejected subject".
        peer.inject("[\"push\",[\"pipeline\",0,[\"throwError\"],[]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        peer.expect("[\"reject\",2,[\"error\",\"RangeError\",\"test error\"]]");
    }

    @Test
    void remapWithNoInstructionsRejects() {
        // Reference exchange "remap empty instr" (map.ts: "Invalid empty mapper function.").
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[2]]]",
                "[\"push\",[\"remap\",1,[],[],[]]]", "[\"pull\",2]");
        peer.expect("[\"reject\",2,[\"error\",\"Error\",\"Invalid empty mapper function.\"]]");
    }

    @Test
    void tablesReturnToBaselineOnceEverythingIsReleased() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[3]]]",
                "[\"push\",[\"remap\",1,[]," + SQUARE_EACH + "]]", "[\"pull\",2]");
        assertThat(resolution(2)).isEqualTo("[[0,1,1]]");
        releaseAll(1, 2);
        eventually("tables back to baseline (" + conn.session().stats() + ")",
                () -> conn.session().stats().equals(new SessionStats(1, 1)));
    }

    // ------------------------------------------------------------------ helpers

    private final List<Integer> promiseIds = new ArrayList<>();

    /**
     * Reads the resolve for {@code id} and, as a reference peer's application would see it, the
     * resolves of every promise it contains; returns the canonical text of the substituted value.
     */
    private String resolution(int id) {
        JsonArray frame = peer.next().getAsJsonArray();
        assertThat(frame.get(0).getAsString()).as("frame %s", frame).isEqualTo("resolve");
        assertThat(frame.get(1).getAsInt()).as("frame %s", frame).isEqualTo(id);
        Map<Integer, JsonElement> resolved = new HashMap<>();
        List<Integer> pending = new ArrayList<>();
        collectPromises(frame.get(2), pending);
        while (!pending.isEmpty()) {
            JsonArray next = peer.next().getAsJsonArray();
            assertThat(next.get(0).getAsString()).as("frame %s while waiting for promises %s", next, pending)
                    .isEqualTo("resolve");
            int pid = next.get(1).getAsInt();
            assertThat(pending).as("resolve of a promise that was sent").contains(pid);
            pending.remove(Integer.valueOf(pid));
            promiseIds.add(pid);
            resolved.put(pid, next.get(2));
            collectPromises(next.get(2), pending);
        }
        return canon(substitute(frame.get(2), resolved));
    }

    private void releaseAll(int... pushIds) {
        for (int pid : promiseIds) {
            peer.inject("[\"release\"," + pid + ",1]");
        }
        for (int pid : pushIds) {
            peer.inject("[\"release\"," + pid + ",1]");
        }
        peer.expectNothing();
    }

    private static boolean isEscapedArray(JsonArray a) {
        return a.size() == 1 && a.get(0).isJsonArray();
    }

    private static void collectPromises(JsonElement e, List<Integer> out) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (isEscapedArray(a)) {
                for (JsonElement x : a.get(0).getAsJsonArray()) {
                    collectPromises(x, out);
                }
            } else if (a.size() == 2 && a.get(0).isJsonPrimitive() && "promise".equals(a.get(0).getAsString())) {
                out.add(a.get(1).getAsInt());
            }
        } else if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                collectPromises(m.getValue(), out);
            }
        }
    }

    private static JsonElement substitute(JsonElement e, Map<Integer, JsonElement> resolved) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (isEscapedArray(a)) {
                JsonArray inner = new JsonArray();
                for (JsonElement x : a.get(0).getAsJsonArray()) {
                    inner.add(substitute(x, resolved));
                }
                JsonArray out = new JsonArray();
                out.add(inner);
                return out;
            } else if (a.size() == 2 && a.get(0).isJsonPrimitive() && "promise".equals(a.get(0).getAsString())) {
                return substitute(resolved.get(a.get(1).getAsInt()), resolved);
            }
            return a;
        } else if (e.isJsonObject()) {
            JsonObject out = new JsonObject();
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                out.add(m.getKey(), substitute(m.getValue(), resolved));
            }
            return out;
        }
        return e;
    }

    @Test
    void substitutionHelperFollowsNestedPromises() {
        // Guards the helper above: a promise resolving to an array holding another promise.
        Map<Integer, JsonElement> resolved = new HashMap<>();
        resolved.put(-1, parse("[[[\"promise\",-2],3]]"));
        resolved.put(-2, parse("{\"a\":[\"promise\",-3]}"));
        resolved.put(-3, parse("[\"undefined\"]"));
        List<Integer> found = new ArrayList<>();
        collectPromises(parse("[[[\"promise\",-1],[[\"promise\",-9]]]]"), found);
        assertThat(found).containsExactly(-1);
        assertThat(canon(substitute(parse("[[[\"promise\",-1],5]]"), resolved)))
                .isEqualTo("[[[[{\"a\":[\"undefined\"]},3]],5]]");
    }
}
