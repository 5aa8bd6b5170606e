package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Plain data read straight from text ({@link FastParser#plain}, {@link Evaluator.PlainReference})
 * is exactly what evaluating the JSON tree of the same text gives, and everything else is left to
 * the tree, which then gives its own value or error.
 */
class PlainReadingTest {

    /** Values the plain reader must take itself. */
    private static final String[] PLAIN = {
        "7", "-7", "0", "-0", "1.5", "-2.5e3", "1E2", "1e+2", "0.1", "9007199254740993", "12345678901234567890123",
        "123456789012345", "-123456789012345", "1234567890123456",
        "\"\"", "\"square\"", "\"caf\u00e9 \\u00e9 \\\"q\\\" \\n \\uD83D\\uDE00\"", "\"" + "x".repeat(40) + "\"",
        "true", "false", "null",
        "{}", "{\"a\":1,\"b\":\"two\",\"c\":null}", " { \"a\" : [[ 1 , 2 ]] } ",
        "{\"a\":1,\"b\":2,\"a\":3}",
        "{\"__proto__\":{\"x\":1},\"toJSON\":2,\"constructor\":3,\"kept\":4}",
        "[[]]", "[[1,\"a\",true,null,{\"k\":[[]]}]]", "[[[[1,[[2]]]]]]",
        "{\"a\":{\"b\":{\"c\":{\"d\":[[1]]}}}}",
    };

    /** Values the plain reader leaves to the tree: special forms, bare arrays, malformed text. */
    private static final String[] NOT_PLAIN = {
        "[\"date\",1]", "[\"undefined\"]", "[\"bigint\",\"12\"]", "[\"inf\"]", "[\"export\",-1]",
        "[\"pipeline\",0]", "[]", "[1,2]", "[[1],2]", "[[1]", "{\"a\":[\"date\",1]}", "[[[\"undefined\"]]]",
        "{\"a\":1,}", "{\"a\" 1}", "[[01]]", "[[1.]]", "[[tru]]", "\"a\u0001\"", "\"\\x\"", "{a:1}", "",
    };

    private static Object tree(String text, int maxDepth) {
        return Evaluator.evaluate(Json.parse(text, 2 * maxDepth + 8, maxDepth), new NoReferences(maxDepth)).value;
    }

    /** @return the plain value, or {@link FastParser#NOT_PLAIN} also when text follows it */
    private static Object plain(String text, int maxDepth) {
        FastParser p = FastParser.at(text, 0);
        Object v = p.plain(0, maxDepth);
        return v != FastParser.NOT_PLAIN && p.atEnd() ? v : FastParser.NOT_PLAIN;
    }

    @Test
    void plainValuesAreWhatTheTreeEvaluatesTo() {
        for (String text : PLAIN) {
            Object plain = plain(text, 64);
            assertThat(plain).as(text).isNotSameAs(FastParser.NOT_PLAIN);
            Object tree = tree(text, 64);
            // equals() tells Long from Double and -0.0 from 0.0, and compares lists and maps deeply.
            assertThat(plain).as(text).isEqualTo(tree);
            if (tree instanceof Map) {
                assertThat(new ArrayList<>(((Map<?, ?>) plain).keySet())).as(text)
                        .isEqualTo(new ArrayList<>(((Map<?, ?>) tree).keySet()));
            }
        }
        assertThat(plain("-0", 64)).isEqualTo(-0.0);
        assertThat(plain("7", 64)).isEqualTo(7L);
    }

    @Test
    void everythingElseIsLeftToTheTree() {
        for (String text : NOT_PLAIN) {
            assertThat(plain(text, 64)).as(text).isSameAs(FastParser.NOT_PLAIN);
        }
    }

    @Test
    void valuesTooDeepForTheEvaluatorAreLeftToItAtEveryLimit() {
        // Depths 0 to 6 of value: an escaped array is one level, so is an object.
        String[] nested = {"1", "[[1]]", "{\"a\":[[1]]}", "[[{\"a\":[[1]]}]]", "[[[[{\"a\":[[1]]}]]]]",
            "{\"b\":[[[[{\"a\":[[1]]}]]]]}", "[[{\"b\":[[[[{\"a\":[[1]]}]]]]}]]"};
        for (int maxDepth = 1; maxDepth <= 8; maxDepth++) {
            for (String text : nested) {
                int limit = maxDepth;
                Throwable refused = catchThrowable(() -> tree(text, limit));
                Object plain = plain(text, limit);
                if (refused != null) {
                    assertThat(refused).as(text + " at " + limit).hasMessageContaining("maximum allowed message depth");
                    assertThat(plain).as(text + " at " + limit).isSameAs(FastParser.NOT_PLAIN);
                } else {
                    assertThat(plain).as(text + " at " + limit).isEqualTo(tree(text, limit));
                }
            }
        }
        // Deeper than the plain reader's own bound: left to the tree even where the limit allows it.
        String deep = "[[".repeat(40) + "1" + "]]".repeat(40);
        assertThat(plain(deep, 256)).isSameAs(FastParser.NOT_PLAIN);
        assertThat(tree(deep, 256)).isInstanceOf(List.class);
    }

    @Test
    void plainReferencesAreReadOnlyWhenEveryPartIsPlain() {
        Evaluator.PlainReference call = read("[\"pipeline\",0,[\"echo\",2],[1,\"a\",[[true]],{\"k\":null}]]", 64);
        assertThat(call).isNotNull();
        assertThat(call.isPromise()).isTrue();
        assertThat(call.id()).isZero();
        assertThat(call.path()).containsExactly("echo", 2L);
        assertThat(call.args()).isEqualTo(List.of(1L, "a", List.of(true), java.util.Collections.singletonMap("k", null)));

        Evaluator.PlainReference get = read(" [ \"import\" , -3 , [ ] ] ", 64);
        assertThat(get).isNotNull();
        assertThat(get.isPromise()).isFalse();
        assertThat(get.id()).isEqualTo(-3);
        assertThat(get.path()).isEmpty();
        assertThat(get.args()).isNull();

        Evaluator.PlainReference whole = read("[\"pipeline\",5]", 64);
        assertThat(whole).isNotNull();
        assertThat(whole.path()).isNull();

        String[] declined = {
            "[\"pipeline\",1.5,[\"a\"],[]]", "[\"pipeline\",1e0]", "[\"pipeline\",01]", "[\"pipeline\",\"1\"]",
            "[\"pipeline\",0,[\"a\"],[[\"date\",1]]]", "[\"pipeline\",0,[\"a\"],[[\"undefined\"]]]",
            "[\"pipeline\",0,\"a\"]", "[\"pipeline\",0,[true]]", "[\"pipeline\",0,[\"a\"],{}]",
            "[\"pipeline\",0,[\"a\"],[],1]", "[\"export\",-1]", "[\"remap\",0,[],[],[]]", "[\"pipeline\"]",
            "[\"pipeline\",1234567890123456]", "[\"pipeline\",0,[\"a\"],[{\"x\":[\"export\",-1]}]]",
        };
        for (String text : declined) {
            assertThat(read(text, 64)).as(text).isNull();
        }
        // The arguments are at depth 1: with a limit of 1 the evaluator refuses them, so the plain
        // reader leaves them to it; a call without arguments is still read.
        assertThat(read("[\"pipeline\",0,[\"a\"],[1]]", 1)).isNull();
        assertThat(read("[\"pipeline\",0,[\"a\"],[]]", 1)).isNotNull();
    }

    private static Evaluator.PlainReference read(String text, int maxDepth) {
        FastParser p = FastParser.at(text, 0);
        Evaluator.PlainReference r = Evaluator.PlainReference.read(p, maxDepth);
        return r != null && p.atEnd() ? r : null;
    }
}
