package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.Undefined;
import com.google.gson.JsonElement;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values to and from wire expressions, without a session. */
class ValueCodecTest {

    private static String devaluate(Object v) {
        return Json.write(Devaluator.devaluate(v, null));
    }

    private static Object evaluate(String json) {
        JsonElement parsed = Json.parse(json, 600, 256);
        return Evaluator.evaluate(parsed, new NoReferences(256)).value;
    }

    // The reference's own serialization test cases (those the Java side supports).
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "123|123",
        "null|",
        "\"foo\"|foo",
        "true|true",
    })
    void primitivesAreLiteral(String wire, String ignored) {
        assertThat(devaluate(evaluate(wire))).isEqualTo(wire);
    }

    @Test
    void objectsKeepTheirOrderAndNesting() {
        String wire = "{\"foo\":{\"bar\":123,\"baz\":456},\"qux\":789}";
        Object v = evaluate(wire);
        assertThat(v).isInstanceOf(LinkedHashMap.class);
        assertThat(new ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("foo", "qux");
        assertThat(devaluate(v)).isEqualTo(wire);
    }

    @Test
    void arraysAreEscaped() {
        assertThat(devaluate(List.of(123))).isEqualTo("[[123]]");
        assertThat(devaluate(List.of(List.of(123, 456)))).isEqualTo("[[[[123,456]]]]");
        assertThat(devaluate(Map.of("foo", List.of(123)))).isEqualTo("{\"foo\":[[123]]}");
        assertThat(evaluate("[[[[123,456]]]]")).isEqualTo(List.of(List.of(123L, 456L)));
    }

    @Test
    void javaArraysAndCollectionsAreSentAsArrays() {
        assertThat(devaluate(new int[] {1, 2})).isEqualTo("[[1,2]]");
        assertThat(devaluate(new java.util.TreeSet<>(List.of("b", "a")))).isEqualTo("[[\"a\",\"b\"]]");
    }

    @Test
    void specialNumbers() {
        assertThat(devaluate(Double.POSITIVE_INFINITY)).isEqualTo("[\"inf\"]");
        assertThat(devaluate(Double.NEGATIVE_INFINITY)).isEqualTo("[\"-inf\"]");
        assertThat(devaluate(Double.NaN)).isEqualTo("[\"nan\"]");
        assertThat(devaluate(Float.NaN)).isEqualTo("[\"nan\"]");
        assertThat(evaluate("[\"inf\"]")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(evaluate("[\"-inf\"]")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) evaluate("[\"nan\"]")).isNaN();
    }

    @ParameterizedTest
    @CsvSource({
        "9.0, 9",
        "-3.0, -3",
        "0.5, 0.5",
        "2.25, 2.25",
        "1e21, 1e+21",
        "1e20, 100000000000000000000",
        "1.5e-7, 1.5e-7",
        "0.000001, 0.000001",
        "123456789.125, 123456789.125",
        "9007199254740993.0, 9007199254740992",
        "-0.0, 0",
        "1152921504606846976.0, 1152921504606847000",
        "0.30000000000000004, 0.30000000000000004",
        "0.3333333333333333, 0.3333333333333333",
        "4.9E-324, 5e-324",
        "1.7976931348623157E308, 1.7976931348623157e+308",
        "2.0E-3, 0.002",
        "-1.5e300, -1.5e+300",
    })
    void numbersAreWrittenLikeJavaScript(double value, String expected) {
        assertThat(devaluate(value)).isEqualTo(expected);
    }

    @Test
    void wholeNumbersArriveAsLongAndFractionsAsDouble() {
        assertThat(evaluate("3")).isEqualTo(3L);
        assertThat(evaluate("3.0")).isEqualTo(3L);
        assertThat(evaluate("2.5")).isEqualTo(2.5);
        assertThat(evaluate("9007199254740992")).isEqualTo(9007199254740992L);
        assertThat(evaluate("18014398509481984")).isEqualTo(1.8014398509481984E16);
        assertThat(evaluate("1e400")).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void undefinedRoundTrips() {
        assertThat(devaluate(Undefined.INSTANCE)).isEqualTo("[\"undefined\"]");
        assertThat(evaluate("[\"undefined\"]")).isSameAs(Undefined.INSTANCE);
    }

    @Test
    void bigintRoundTrips() {
        assertThat(devaluate(new BigInteger("123"))).isEqualTo("[\"bigint\",\"123\"]");
        assertThat(evaluate("[\"bigint\",\"-98765432109876543210\"]")).isEqualTo(new BigInteger("-98765432109876543210"));
        assertThatThrownBy(() -> evaluate("[\"bigint\",\"12x\"]")).isInstanceOfSatisfying(RpcException.class,
                e -> assertThat(e.type()).isEqualTo("SyntaxError"));
    }

    @Test
    void datesRoundTripAndInvalidDateIsNull() {
        assertThat(devaluate(Instant.ofEpochMilli(1234))).isEqualTo("[\"date\",1234]");
        assertThat(devaluate(new Date(1234))).isEqualTo("[\"date\",1234]");
        assertThat(evaluate("[\"date\",1749342170815]")).isEqualTo(Instant.ofEpochMilli(1749342170815L));
        assertThat(evaluate("[\"date\",null]")).isSameAs(InvalidDate.INSTANCE);
        assertThat(devaluate(InvalidDate.INSTANCE)).isEqualTo("[\"date\",null]");
        assertThat(Convert.to(InvalidDate.INSTANCE, Instant.class, Instant.class, () -> "x")).isNull();
    }

    @Test
    void bytesWithoutMarkerAreByteArraysAndPaddingIsStripped() {
        byte[] hello = "hello!".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(devaluate(hello)).isEqualTo("[\"bytes\",\"aGVsbG8h\"]");
        assertThat(devaluate(new byte[] {1, 2, 3, 4})).isEqualTo("[\"bytes\",\"AQIDBA\"]");
        assertThat(devaluate(java.nio.ByteBuffer.wrap(new byte[] {61}))).isEqualTo("[\"bytes\",\"PQ\"]");
        assertThat((byte[]) evaluate("[\"bytes\",\"aGVsbG8h\"]")).isEqualTo(hello);
        assertThat((byte[]) evaluate("[\"bytes\",\"AQIDBA==\"]")).containsExactly(1, 2, 3, 4);
        assertThat((byte[]) evaluate("[\"bytes\",\"AQID\",\"Uint8Array\"]")).containsExactly(1, 2, 3);
    }

    @Test
    void typedBytesArriveAsByteArraysThatKeepTheirTypeWhenEchoed() {
        Object v = evaluate("[\"bytes\",\"AQACAA\",\"Int16Array\"]");
        assertThat(v).isInstanceOf(byte[].class);
        assertThat((byte[]) v).containsExactly(1, 0, 2, 0);
        assertThat(devaluate(v)).isEqualTo("[\"bytes\",\"AQACAA\",\"Int16Array\"]");
        // A copy is plain bytes.
        assertThat(devaluate(((byte[]) v).clone())).isEqualTo("[\"bytes\",\"AQACAA\"]");
    }

    @Test
    void badBytesMarkersAreRefusedLikeTheReference() {
        assertThatThrownBy(() -> evaluate("[\"bytes\",\"AQID\",\"Int16Array\"]"))
                .hasMessage("Invalid byte length 3 for Int16Array; expected a multiple of 2");
        assertThatThrownBy(() -> evaluate("[\"bytes\",\"AQID\",\"Nope\"]")).hasMessage("Unknown bytes type marker: Nope");
        assertThatThrownBy(() -> evaluate("[\"bytes\",\"AQID\",5]")).hasMessage("Unknown bytes type marker type: number");
    }

    @Test
    void urlsRoundTrip() {
        assertThat(devaluate(URI.create("https://example.com/path?q=1")))
                .isEqualTo("[\"url\",\"https://example.com/path?q=1\"]");
        assertThat(evaluate("[\"url\",\"https://example.com/path?q=1\"]")).isEqualTo(URI.create("https://example.com/path?q=1"));
        assertThatThrownBy(() -> evaluate("[\"url\",\"not a url\"]")).hasMessageStartingWith("Invalid URL");
        assertThat(evaluate("[\"url\",\"HTTPS://Example.COM:443/a/./b/../c\"]")).isEqualTo(URI.create("https://example.com/a/c"));
        assertThat(evaluate("[\"url\",\"http://example.com\"]")).isEqualTo(URI.create("http://example.com/"));
        assertThat(evaluate("[\"url\",\"http://example.com:8080?q#f\"]")).isEqualTo(URI.create("http://example.com:8080/?q#f"));
        assertThat(evaluate("[\"url\",\"mailto:Someone@Example.com\"]")).isEqualTo(URI.create("mailto:Someone@Example.com"));
    }

    @Test
    void errorsUseTheLegacyFormWithoutExtras() {
        assertThat(devaluate(RpcException.of("TypeError", "the message")))
                .isEqualTo("[\"error\",\"TypeError\",\"the message\"]");
        assertThat(devaluate(new IllegalStateException("boom"))).isEqualTo("[\"error\",\"Error\",\"boom\"]");
    }

    @Test
    void errorPropertiesGoInTheFifthElementWithNullStack() {
        RpcException e = RpcException.of("RangeError", "rich", Map.of("code", "E_RICH"));
        assertThat(devaluate(e)).isEqualTo("[\"error\",\"RangeError\",\"rich\",null,{\"code\":\"E_RICH\"}]");
    }

    @Test
    void causeIsSentAsAProperty() {
        IllegalStateException e = new IllegalStateException("outer", RpcException.of("TypeError", "inner"));
        assertThat(devaluate(e))
                .isEqualTo("[\"error\",\"Error\",\"outer\",null,{\"cause\":[\"error\",\"TypeError\",\"inner\"]}]");
    }

    @Test
    void receivedErrorKeepsTypeMessageStackAndProperties() {
        Object v = evaluate("[\"error\",\"RangeError\",\"rich\",\"the stack\",{\"code\":\"E\",\"when\":[\"date\",1234],"
                + "\"cause\":[\"error\",\"TypeError\",\"inner\"],\"toString\":1}]");
        assertThat(v).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.type()).isEqualTo("RangeError");
            assertThat(e.getMessage()).isEqualTo("rich");
            assertThat(e.remoteStack()).contains("the stack");
            assertThat(e.properties()).containsEntry("code", "E").containsEntry("when", Instant.ofEpochMilli(1234))
                    .doesNotContainKey("toString");
            assertThat(e.getCause()).isInstanceOf(RpcException.class).hasMessage("inner");
        });
        // Echoed, it keeps its properties (the stack is redacted).
        assertThat(devaluate(v)).isEqualTo("[\"error\",\"RangeError\",\"rich\",null,{\"code\":\"E\","
                + "\"when\":[\"date\",1234],\"cause\":[\"error\",\"TypeError\",\"inner\"]}]");
    }

    @Test
    void unknownErrorTypeBecomesError() {
        assertThat(((RpcException) evaluate("[\"error\",\"constructor\",\"x\"]")).type()).isEqualTo("Error");
    }

    @Test
    void malformedErrorPropertiesAreUnknownSpecialValues() {
        assertThatThrownBy(() -> evaluate("[\"error\",\"Error\",\"x\",null,[1]]"))
                .hasMessageStartingWith("unknown special value:");
    }

    @Test
    void errorPropertyThatCannotBeSentIsDropped() {
        RpcException e = RpcException.of("Error", "with-stub", Map.of("code", "E", "target", new Object()));
        assertThat(devaluate(e)).isEqualTo("[\"error\",\"Error\",\"with-stub\",null,{\"code\":\"E\"}]");
    }

    @Test
    void objectPrototypeKeysAreDropped() {
        assertThat(evaluate("{\"__proto__\":{\"x\":1},\"toJSON\":2,\"ok\":3}")).isEqualTo(Map.of("ok", 3L));
    }

    @Test
    void recordsAndEnumsAreSentAsObjectsAndNames() {
        record Point(long x, long y) {
        }
        assertThat(devaluate(new Point(1, 2))).isEqualTo("{\"x\":1,\"y\":2}");
        assertThat(devaluate(java.time.DayOfWeek.MONDAY)).isEqualTo("\"MONDAY\"");
    }

    @Test
    void cyclesAreRefused() {
        List<Object> list = new ArrayList<>();
        list.add(list);
        assertThatThrownBy(() -> devaluate(list))
                .hasMessage("Serialization exceeded maximum allowed depth. (Does the message contain cycles?)");
    }

    @Test
    void unsupportedValuesAreRefusedClearly() {
        assertThatThrownBy(() -> devaluate(new Object())).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.type()).isEqualTo("TypeError");
            assertThat(e.getMessage()).startsWith("Cannot serialize value: java.lang.Object@");
        });
    }

    @Test
    void stringsAreEscapedLikeJsonStringify() {
        assertThat(devaluate("a\"b\\c\n\u0001\u2028\uD800")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\u2028\\ud800\"");
        assertThat(devaluate("\uD83D\uDE00")).isEqualTo("\"\uD83D\uDE00\"");
    }

    @Test
    void unknownSpecialValuesAreRefused() {
        assertThatThrownBy(() -> evaluate("[]")).hasMessage("unknown special value: []");
        assertThatThrownBy(() -> evaluate("[1,2]")).hasMessage("unknown special value: [1,2]");
    }
}
