package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * map() recordings as the reference client sends them ({@code remap}), applied by the engine.
 * The expected messages were derived from the reference's MapBuilder.
 */
@Timeout(10)
class RemapTest {

    /** Collects the session's messages until import {@code id} resolves, substituting promises. */
    private static JsonElement resolutionOf(ScriptedPeer peer, int id, List<String> log) {
        Map<Long, JsonElement> resolved = new HashMap<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (resolved.containsKey((long) id)) {
                JsonElement value = substitute(resolved.get((long) id), resolved);
                if (value != null) {
                    return value;
                }
            }
            String m = peer.next();
            log.add(m);
            JsonArray msg = JsonParser.parseString(m).getAsJsonArray();
            if (msg.get(0).getAsString().equals("resolve")) {
                resolved.put(msg.get(1).getAsLong(), msg.get(2));
            }
        }
        throw new AssertionError("no resolution for " + id + "; got " + log);
    }

    /** Replaces ["promise", id] by its resolution; null if one is still missing. */
    private static JsonElement substitute(JsonElement e, Map<Long, JsonElement> resolved) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (a.size() == 2 && a.get(0).isJsonPrimitive() && a.get(0).getAsString().equals("promise")) {
                JsonElement r = resolved.get(a.get(1).getAsLong());
                return r == null ? null : substitute(r, resolved);
            }
            JsonArray out = new JsonArray();
            for (JsonElement x : a) {
                JsonElement s = substitute(x, resolved);
                if (s == null) {
                    return null;
                }
                out.add(s);
            }
            return out;
        }
        if (e.isJsonObject()) {
            JsonObject out = new JsonObject();
            for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
                JsonElement s = substitute(en.getValue(), resolved);
                if (s == null) {
                    return null;
                }
                out.add(en.getKey(), s);
            }
            return out;
        }
        return e;
    }

    @Test
    void mapOverAnArrayCallsTheMapperForEachElement() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            // fib.map(i => stub.square(i))
            peer.send("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[6]]]",
                    "[\"push\",[\"remap\",1,[],[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],"
                            + "[\"pipeline\",1]]]]",
                    "[\"pull\",2]");
            JsonElement result = resolutionOf(peer, 2, new java.util.ArrayList<>());
            assertThat(result.toString()).isEqualTo("[[0,1,1,4,9,25]]");
        }
    }

    @Test
    void mapWithObjectResultAndCapturedPeerObject() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            // fib.map(i => { let counter = stub.makeCounter(i); let val = counter.increment(3);
            //                outerCounter.increment(); return {counter, val}; })
            peer.send("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[3]]]",
                    "[\"push\",[\"remap\",1,[],[[\"import\",0],[\"export\",-1]],["
                            + "[\"pipeline\",-1,[\"makeCounter\"],[[\"pipeline\",0]]],"
                            + "[\"pipeline\",1,[\"increment\"],[3]],"
                            + "[\"pipeline\",-2,[\"increment\"],[]],"
                            + "{\"counter\":[\"pipeline\",1],\"val\":[\"pipeline\",2]}]]]",
                    "[\"pull\",2]");
            List<String> log = new java.util.ArrayList<>();
            JsonElement result = resolutionOf(peer, 2, log);
            JsonArray items = result.getAsJsonArray().get(0).getAsJsonArray();
            assertThat(items).hasSize(3);
            assertThat(items.get(0).getAsJsonObject().get("val").getAsLong()).isEqualTo(3);
            assertThat(items.get(1).getAsJsonObject().get("val").getAsLong()).isEqualTo(4);
            assertThat(items.get(2).getAsJsonObject().get("val").getAsLong()).isEqualTo(4);
            assertThat(items.get(0).getAsJsonObject().get("counter").getAsJsonArray().get(0).getAsString())
                    .isEqualTo("export");
            // The captured peer object was called once per element.
            assertThat(log.stream().filter(m -> m.equals("[\"push\",[\"pipeline\",-1,[\"increment\"],[]]]")))
                    .hasSize(3);
        }
    }

    @Test
    void mapOverNullIsNullAndReleasesTheCaptures() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"returnNull\"],[]]]",
                    "[\"push\",[\"remap\",1,[],[[\"export\",-1]],[[\"pipeline\",-1,[\"increment\"],[123]],"
                            + "[\"pipeline\",1]]]]",
                    "[\"pull\",2]");
            List<String> all = new java.util.ArrayList<>();
            all.add(peer.next());
            all.add(peer.next());
            assertThat(all).containsExactlyInAnyOrder("[\"release\",-1,1]", "[\"resolve\",2,null]");
        }
    }

    @Test
    void mapOverUndefinedIsUndefined() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"returnUndefined\"],[]]]",
                    "[\"push\",[\"remap\",1,[],[],[[\"pipeline\",0]]]]", "[\"pull\",2]")
                    .expect("[\"resolve\",2,[\"undefined\"]]");
        }
    }

    @Test
    void mapOverASingleValueAppliesOnce() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"returnNumber\"],[4]]]",
                    "[\"push\",[\"remap\",1,[],[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],"
                            + "[\"pipeline\",1]]]]",
                    "[\"pull\",2]");
            assertThat(resolutionOf(peer, 2, new java.util.ArrayList<>()).toString()).isEqualTo("16");
        }
    }

    @Test
    void nestedMapIsApplied() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            // fib.map(i => stub.generateFibonacci(i).map(j => stub.generateFibonacci(j)))
            peer.send("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[5]]]",
                    "[\"push\",[\"remap\",1,[],[[\"import\",0],[\"import\",0]],["
                            + "[\"pipeline\",-1,[\"generateFibonacci\"],[[\"pipeline\",0]]],"
                            + "[\"remap\",1,[],[[\"import\",-2]],[[\"pipeline\",-1,[\"generateFibonacci\"],"
                            + "[[\"pipeline\",0]]],[\"pipeline\",1]]],"
                            + "[\"pipeline\",2]]]]",
                    "[\"pull\",2]");
            assertThat(resolutionOf(peer, 2, new java.util.ArrayList<>()).toString())
                    .isEqualTo("[[[[]],[[[[]]]],[[[[]]]],[[[[]],[[0]]]],[[[[]],[[0]],[[0]]]]]]");
        }
    }

    @Test
    void emptyMapperIsAnError() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"returnNumber\"],[4]]]",
                    "[\"push\",[\"remap\",1,[],[],[]]]", "[\"pull\",2]")
                    .expect("[\"reject\",2,[\"error\",\"Error\",\"Invalid empty mapper function.\"]]");
        }
    }
}
