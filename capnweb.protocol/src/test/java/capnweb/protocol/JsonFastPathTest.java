package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast parser builds exactly what Gson builds and leaves everything else to Gson, so errors
 * keep Gson's messages; the fast writer quotes exactly as character-by-character escaping does.
 */
class JsonFastPathTest {
    private static final int NESTING = 2 * 64 + 8;

    /** Text the fast parser must take itself. */
    private static final String[] VALID = {
        "[\"push\",[\"pipeline\",0,[\"square\"],[7]]]",
        "[\"pull\",1]",
        "[\"resolve\",1,49]",
        " [ \"release\" , -1 ,\t2 ]\r\n",
        "[\"push\",[\"pipeline\",0,[\"echo\"],[{\"a\":[[1,2.5,-0,1e3,-2.5E-3,0.1]],\"b\":null,\"c\":true,\"d\":false}]]]",
        "[\"bigint\",\"123\"]",
        "{\"a\":1,\"b\":[true,false,null],\"a\":[2]}",
        "[-0,0,1,-1,1.5,-2.5e3,1E2,1e+2,1e-2,12345678901234567890123,9007199254740993,0.1]",
        "\"top\"", "7", "-0", "true", "null",
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\uD83D\\uDE00\\ud800 x\"]",
        "[\"caf\u00e9 \uD83D\uDE00 \u2028 \u007f \uDC00\"]",
        "{\"\\u0061b\":{\"\":[]},\"c\":{}}",
        "[[],{},[[]],{\"x\":{}}]",
        "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
    };

    /** Text the fast parser leaves to Gson: malformed, or well-formed but unusual. */
    private static final String[] DECLINED = {
        "[\"\\u12g4\"]", "[\"a\u0001\"]", "[\"unterminated]", "{\"a\" 1}", "[a]", "[1][2]", "\uFEFF[1]",
        "[1/*c*/]", "{\"a\":1 \"b\":2}", "[\"\\uFFFF\\", "[1" + "0".repeat(300) + "]",
    };

    /** Malformed text: declined by the fast parser, then refused by Gson with its own message. */
    private static final String[] MALFORMED = {
        "", " ", "[", "]", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{'a':1}", "['a']",
        "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]", "[NaN]", "[Infinity]", "[tru]", "[nul]", "[truex]",
        "\"unterminated", "\"bad \\x escape\"", "\"bad \\u12G4\"", "\"short \\u12\"", "\"tab\tinside\"",
        "[1] [2]", "[1]x", "// comment\n[1]", "[1,2,3", "{\"a\":1,}", "\"\\u\"",
    };

    private static JsonElement gson(String text) {
        return Json.parseWithGson(text, NESTING, 64);
    }

    @Test
    void validMessagesParseToTheSameTreeAsGson() {
        for (String text : VALID) {
            JsonElement fast = FastParser.parse(text, NESTING);
            assertThat(fast).as(text).isNotNull();
            assertSame(fast, gson(text), text);
            assertThat(Json.write(fast)).as(text).isEqualTo(Json.write(gson(text)));
            assertThat(Json.parse(text, NESTING, 64)).as(text).isEqualTo(gson(text));
        }
    }

    @Test
    void shortStringsAreSharedAndNeverConfused() {
        JsonElement first = FastParser.parse("[\"square\"]", NESTING);
        JsonElement again = FastParser.parse("[1,\"square\"]", NESTING);
        assertThat(again.getAsJsonArray().get(1).getAsString())
                .isSameAs(first.getAsJsonArray().get(0).getAsString());
        // Far more distinct strings than the cache has slots, so that they collide and evict.
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            String s = "m" + random.nextInt(5_000) + "x".repeat(random.nextInt(30));
            JsonElement parsed = FastParser.parse("[\"" + s + "\",\"" + s + "y\"]", NESTING);
            assertThat(parsed.getAsJsonArray().get(0).getAsString()).isEqualTo(s);
            assertThat(parsed.getAsJsonArray().get(1).getAsString()).isEqualTo(s + "y");
        }
    }

    @Test
    void unusualOrMalformedTextIsLeftToGson() {
        for (String text : DECLINED) {
            assertThat(FastParser.parse(text, NESTING)).as(text).isNull();
        }
        for (String text : MALFORMED) {
            assertThat(FastParser.parse(text, NESTING)).as(text).isNull();
        }
    }

    @Test
    void malformedTextStillFailsWithGsonsMessage() {
        for (String text : MALFORMED) {
            String expected;
            try {
                gson(text);
                throw new AssertionError("Gson accepted " + text);
            } catch (RpcException e) {
                expected = e.getMessage();
            }
            assertThat(expected).as(text).startsWith("Malformed JSON message: ");
            assertThatThrownBy(() -> Json.parse(text, NESTING, 64)).as(text).hasMessage(expected);
        }
    }

    @Test
    void aSyntaxErrorSaysWhereWithoutGsonsAdviceToItsOwnUser() {
        for (String text : List.of("{nope", "\uFFFD\uFFFD", "[1,]x")) {
            assertThatThrownBy(() -> Json.parse(text, NESTING, 64)).as(text)
                    .hasMessageStartingWith("Malformed JSON message: ").hasMessageContaining("line 1 column")
                    .hasMessageNotContaining("setStrictness").hasMessageNotContaining("https://")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> Json.parse("{nope", NESTING, 64))
                .hasMessage("Malformed JSON message: not valid JSON at line 1 column 3 path $.");
    }

    @Test
    void tooDeepNestingIsLeftToGsonWhichNamesTheLimit() {
        String deep = "[".repeat(NESTING + 1) + "]".repeat(NESTING + 1);
        assertThat(FastParser.parse(deep, NESTING)).isNull();
        assertThatThrownBy(() -> Json.parse(deep, NESTING, 64)).isInstanceOf(RpcException.class)
                .hasMessage("Deserialization exceeded maximum allowed message depth of 64.");
        String atLimit = "[".repeat(NESTING) + "]".repeat(NESTING);
        assertThat(Json.parse(atLimit, NESTING, 64)).isEqualTo(gson(atLimit));
        String deeperThanFastPath = "[".repeat(FastParser.MAX_DEPTH + 1) + "]".repeat(FastParser.MAX_DEPTH + 1);
        assertThat(FastParser.parse(deeperThanFastPath, 1000)).isNull();
        assertThat(Json.parse(deeperThanFastPath, 1000, 500).isJsonArray()).isTrue();
    }

    /**
     * Random values and the protocol messages above, some of them mutated: whatever the fast
     * parser accepts, Gson must read the same way.
     */
    @Test
    void whateverTheFastParserAcceptsGsonReadsTheSame() {
        Random random = new Random(42);
        String alphabet = "[]{}\",:\\/0123456789-+.eEtrufalsn ubx\u00e9\uD83D\uDE00\u0001\n\t";
        int accepted = 0;
        for (int round = 0; round < 40_000; round++) {
            StringBuilder sb = new StringBuilder(round % 2 == 0
                    ? Json.write(randomValue(random, 0)) : VALID[random.nextInt(VALID.length)]);
            int mutations = random.nextInt(3) + (round % 2);
            for (int m = 0; m < mutations && sb.length() > 0; m++) {
                int at = random.nextInt(sb.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> sb.setCharAt(at, c);
                    case 1 -> sb.insert(at, c);
                    default -> sb.deleteCharAt(at);
                }
            }
            String text = sb.toString();
            JsonElement fast = FastParser.parse(text, NESTING);
            if (fast == null) {
                continue;
            }
            accepted++;
            JsonElement gson;
            try {
                gson = gson(text);
            } catch (RpcException e) {
                throw new AssertionError("The fast parser accepted what Gson refuses: " + text, e);
            }
            assertSame(fast, gson, text);
            assertThat(Json.write(fast)).as(text).isEqualTo(Json.write(gson));
        }
        // Enough of them stay well-formed for the comparison to mean something.
        assertThat(accepted).isGreaterThan(10_000);
    }

    @Test
    void quotingMatchesCharacterByCharacterEscaping() {
        Random random = new Random(7);
        String alphabet = "ab\"\\\n\r\t\b\f\u0000\u001f \u00e9\u2028\uD83D\uDE00\uD800\uDFFF";
        for (int round = 0; round < 5_000; round++) {
            int n = random.nextInt(round % 100 == 0 ? 6000 : 40);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertThat(Json.quote(s)).as(s).isEqualTo(slowQuote(s));
        }
        String large = "x".repeat(1 << 20);
        assertThat(Json.write(arrayOf(new JsonPrimitive(large)))).isEqualTo("[\"" + large + "\"]");
        assertThat(Json.quote(large + "\"")).isEqualTo("\"" + large + "\\\"\"");
    }

    private static JsonArray arrayOf(JsonElement e) {
        JsonArray a = new JsonArray();
        a.add(e);
        return a;
    }

    /** JSON.stringify's escaping, written as plainly as possible. */
    private static String slowQuote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                out.append("\\\"");
            } else if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\b') {
                out.append("\\b");
            } else if (c == '\f') {
                out.append("\\f");
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static JsonElement randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 4 : 7);
        switch (kind) {
            case 0:
                return new JsonPrimitive(random.nextBoolean());
            case 1: {
                double[] samples = {0, -0.0, 1, -1, 1.5, 1e21, 1e-7, 123456789012345678.0, random.nextDouble(),
                    random.nextInt()};
                return new JsonPrimitive(samples[random.nextInt(samples.length)]);
            }
            case 2:
            case 3: {
                String chars = "ab \"\\/\n\u0001\u00e9\uD83D\uDE00\uD800";
                StringBuilder sb = new StringBuilder();
                for (int i = random.nextInt(6); i > 0; i--) {
                    sb.append(chars.charAt(random.nextInt(chars.length())));
                }
                return new JsonPrimitive(sb.toString());
            }
            case 4:
            case 5: {
                JsonArray a = new JsonArray();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomValue(random, depth + 1));
                }
                return a;
            }
            default: {
                JsonObject o = new JsonObject();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.add(random.nextBoolean() ? "k" + random.nextInt(3) : "", randomValue(random, depth + 1));
                }
                return o;
            }
        }
    }

    /** Same structure, same member order, same strings, and numbers equal to the bit. */
    private static void assertSame(JsonElement a, JsonElement b, String text) {
        if (a.isJsonArray()) {
            assertThat(b.isJsonArray()).as(text).isTrue();
            JsonArray x = a.getAsJsonArray();
            JsonArray y = b.getAsJsonArray();
            assertThat(x.size()).as(text).isEqualTo(y.size());
            for (int i = 0; i < x.size(); i++) {
                assertSame(x.get(i), y.get(i), text);
            }
        } else if (a.isJsonObject()) {
            assertThat(b.isJsonObject()).as(text).isTrue();
            List<Map.Entry<String, JsonElement>> x = new ArrayList<>(a.getAsJsonObject().entrySet());
            List<Map.Entry<String, JsonElement>> y = new ArrayList<>(b.getAsJsonObject().entrySet());
            assertThat(x.size()).as(text).isEqualTo(y.size());
            Iterator<Map.Entry<String, JsonElement>> it = y.iterator();
            for (Map.Entry<String, JsonElement> e : x) {
                Map.Entry<String, JsonElement> f = it.next();
                assertThat(e.getKey()).as(text).isEqualTo(f.getKey());
                assertSame(e.getValue(), f.getValue(), text);
            }
        } else if (a.isJsonNull()) {
            assertThat(b.isJsonNull()).as(text).isTrue();
        } else {
            JsonPrimitive p = a.getAsJsonPrimitive();
            JsonPrimitive q = b.getAsJsonPrimitive();
            if (p.isNumber()) {
                assertThat(q.isNumber()).as(text).isTrue();
                assertThat(Double.doubleToRawLongBits(p.getAsDouble()))
                        .as(text).isEqualTo(Double.doubleToRawLongBits(q.getAsDouble()));
            } else if (p.isString()) {
                assertThat(q.isString()).as(text).isTrue();
                assertThat(p.getAsString()).as(text).isEqualTo(q.getAsString());
            } else {
                assertThat(p.getAsBoolean()).as(text).isEqualTo(q.getAsBoolean());
            }
        }
    }
}
