package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.Undefined;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Plain data written straight to text ({@link Devaluator#writePlain}) is exactly the text of the
 * devaluated JSON tree, and everything else is declined, left to the tree and its errors.
 */
class PlainWritingTest {

    private static String tree(Object value) {
        return Json.write(Devaluator.devaluate(value, null));
    }

    private static String plain(Object value) {
        StringBuilder out = new StringBuilder("prefix:");
        assertThat(Devaluator.writePlain(value, out, 0)).as("plain: %s", value).isTrue();
        assertThat(out).startsWith("prefix:");
        return out.substring("prefix:".length());
    }

    private static List<Object> plainValues() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", "Ada \"the\" first\n\u00e9\uD83D\uDE00\u0001");
        record.put("age", 36);
        record.put("score", 0.1);
        record.put("tags", List.of("a", "b"));
        record.put("nothing", null);
        record.put("nested", Map.of("deep", Arrays.asList(1L, null, true)));
        return Arrays.asList(null, "", "square", "x".repeat(300), true, false,
                0L, -7L, Long.MAX_VALUE, Long.MIN_VALUE, 7, (short) 3, (byte) -2,
                0.0, -0.0, 1.5, -2500.0, 0.1, 1e21, 1e-7, 123456789.125, 9007199254740993.0, Double.MAX_VALUE,
                Double.MIN_VALUE, 1.5f, 0.1f, List.of(), List.of(1L, "a"), new ArrayList<>(List.of(List.of(List.of()))),
                Map.of(), record);
    }

    @Test
    void plainValuesAreWrittenAsTheTreeWritesThem() {
        for (Object v : plainValues()) {
            assertThat(plain(v)).as("%s", v).isEqualTo(tree(v));
        }
    }

    @Test
    void argumentsAreWrittenAsTheInnerArrayOfTheirEscapedList() {
        List<Object> args = plainValues();
        StringBuilder out = new StringBuilder();
        assertThat(Devaluator.writePlainArray(args, out, 1)).isTrue();
        assertThat(out.toString()).isEqualTo(Json.write(Devaluator.devaluate(args, null).getAsJsonArray().get(0)));
    }

    @Test
    void anythingElseIsDeclined() {
        Map<Object, Object> numberKey = new LinkedHashMap<>();
        numberKey.put(1, "one");
        List<Object> others = Arrays.asList(Undefined.INSTANCE, Double.NaN, Double.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, new BigDecimal("1.5"), BigInteger.TEN, Instant.EPOCH, new byte[] {1},
                new int[] {1}, new Object(), new RuntimeException("no"), numberKey,
                List.of(1L, Undefined.INSTANCE), Map.of("a", List.of(Double.NaN)));
        for (Object v : others) {
            assertThat(Devaluator.writePlain(v, new StringBuilder(), 0)).as("%s", v).isFalse();
        }
    }

    @Test
    void nestingIsDeclinedWhereTheTreeRefusesIt() {
        Object nested = 1L;
        for (int depth = 1; depth < Payload.MAX_DEPTH; depth++) {
            nested = List.of(nested);
        }
        // MAX_DEPTH - 1 lists around a number: the number is at the last depth allowed.
        assertThat(plain(nested)).isEqualTo(tree(nested));
        Object deeper = List.of(nested);
        assertThat(Devaluator.writePlain(deeper, new StringBuilder(), 0)).isFalse();
        assertThatThrownBy(() -> tree(deeper)).hasMessageContaining("maximum allowed depth");
        assertThat(Devaluator.writePlain(nested, new StringBuilder(), 1)).isFalse();
    }
}
