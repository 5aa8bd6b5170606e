package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast JSON parser builds what Gson builds, and leaves everything else to Gson: a cross-check on valid, malformed and mutated messages. */
class JsonParseTest {
    private static final int NESTING = 2 * 64 + 8;

    private static final String[] VALID = {
        "[\"push\",[\"pipeline\",0,[\"square\"],[7]]]",
        "[\"pull\",1]",
        "[\"resolve\",1,49]",
        " [ \"release\" , -1 ,\t2 ]\r\n",
        "[\"push\",[\"pipeline\",0,[\"echo\"],[{\"a\":[[1,2.5,-0,1e3,-2.5E-3,0.1]],\"b\":null,\"c\":true,\"d\":false}]]]",
        "{\"k\":\"v\",\"k\":\"w\",\"\":[]}",
        "\"quote \\\" back \\\\ slash \\/ \\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00 \\ud800 lone\"",
        "\"caf\u00e9 \uD83D\uDE00 \u007f\"",
        "[[],{},[[]],{\"x\":{}}]",
        "12345678901234567890123",
        "-9007199254740993",
        "0",
        "null",
        "[\"bigint\",\"123\"]",
    };

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
    void wellFormedMessagesParseToTheTreeGsonBuilds() {
        for (int i = 0; i < VALID.length; i++) {
            String text = VALID[i];
            JsonElement fast = FastParser.parse(text, NESTING);
            if (i < 4) {
                // The messages of a small batch take the fast path.
                assertThat(fast).as(text).isNotNull();
            }
            if (fast != null) {
                assertThat(fast).as(text).isEqualTo(gson(text));
                assertThat(Json.write(fast)).as(text).isEqualTo(Json.write(gson(text)));
            }
            assertThat(Json.parse(text, NESTING, 64)).as(text).isEqualTo(gson(text));
        }
    }

    @Test
    void malformedTextIsLeftToGsonAndFailsWithItsMessage() {
        for (String text : MALFORMED) {
            assertThat(FastParser.parse(text, NESTING)).as(text).isNull();
            String expected;
            try {
                gson(text);
                throw new AssertionError("Gson accepted " + text);
            } catch (capnweb.api.RpcException e) {
                expected = e.getMessage();
            }
            assertThatThrownBy(() -> Json.parse(text, NESTING, 64)).as(text).hasMessage(expected);
        }
    }

    @Test
    void nestingBeyondTheLimitIsRefusedAsBefore() {
        String deep = "[".repeat(NESTING + 1) + "]".repeat(NESTING + 1);
        assertThat(FastParser.parse(deep, NESTING)).isNull();
        assertThatThrownBy(() -> Json.parse(deep, NESTING, 64))
                .hasMessage("Deserialization exceeded maximum allowed message depth of 64.");
        String atLimit = "[".repeat(NESTING) + "]".repeat(NESTING);
        assertThat(Json.parse(atLimit, NESTING, 64)).isEqualTo(gson(atLimit));
    }

    @Test
    void mutatedMessagesEitherParseLikeGsonOrAreLeftToIt() {
        Random random = new Random(42);
        String alphabet = "[]{},:\"\\/ -+.eE0123456789tfnulrsaxu\t\n";
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder(VALID[random.nextInt(VALID.length)]);
            for (int m = random.nextInt(3) + 1; m > 0 && text.length() > 0; m--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String t = text.toString();
            JsonElement fast = FastParser.parse(t, NESTING);
            if (fast != null) {
                accepted++;
                assertThat(fast).as(t).isEqualTo(gson(t));
                assertThat(Json.write(fast)).as(t).isEqualTo(Json.write(gson(t)));
            }
        }
        // Enough mutations stay well-formed for the comparison to mean something.
        assertThat(accepted).isGreaterThan(1000);
    }
}
