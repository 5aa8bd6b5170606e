package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.Undefined;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every expression kind of the protocol, both ways. The server half echoes a value the peer sends
 * and compares the resolve with what the reference (capnweb 0.12.0) sends back for the very same
 * frames; the client half checks the Java values that arrive and the frames that Java arguments
 * turn into.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireExpressionsTest {

    /** {argument as the peer sends it, the reference's resolve expression for echo(argument)}. */
    static Stream<Arguments> echoes() {
        return Stream.of(
                Arguments.of("3", "3"),
                Arguments.of("1.5", "1.5"),
                Arguments.of("\"s\"", "\"s\""),
                Arguments.of("\"\"", "\"\""),
                Arguments.of("\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\n\"", "\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\n\""),
                Arguments.of("true", "true"),
                Arguments.of("false", "false"),
                Arguments.of("null", "null"),
                // a JS number: beyond 2^53 it is a double, -0 is sent as 0
                Arguments.of("9007199254740993", "9007199254740992"),
                Arguments.of("-0", "0"),
                Arguments.of("1e300", "1e+300"),
                Arguments.of("-42", "-42"),
                // arrays are escaped by wrapping; nested ones too
                Arguments.of("[[]]", "[[]]"),
                Arguments.of("[[1,2,3]]", "[[1,2,3]]"),
                Arguments.of("[[[[1]],\"x\"]]", "[[[[1]],\"x\"]]"),
                // arrays whose contents look like expressions stay plain data
                Arguments.of("[[\"date\",5]]", "[[\"date\",5]]"),
                Arguments.of("[[\"undefined\"]]", "[[\"undefined\"]]"),
                Arguments.of("[[\"export\",-1]]", "[[\"export\",-1]]"),
                Arguments.of("[[\"error\",\"Error\",\"x\"]]", "[[\"error\",\"Error\",\"x\"]]"),
                Arguments.of("[[[[\"bigint\",\"1\"]]]]", "[[[[\"bigint\",\"1\"]]]]"),
                // objects, in their order
                Arguments.of("{}", "{}"),
                Arguments.of("{\"a\":1,\"b\":{\"c\":\"d\"}}", "{\"a\":1,\"b\":{\"c\":\"d\"}}"),
                Arguments.of("{\"z\":1,\"a\":2,\"m\":3}", "{\"z\":1,\"a\":2,\"m\":3}"),
                Arguments.of("{\"k\":[[1,{\"n\":[[2]]}]]}", "{\"k\":[[1,{\"n\":[[2]]}]]}"),
                // undefined, also inside arrays and objects
                Arguments.of("[\"undefined\"]", "[\"undefined\"]"),
                Arguments.of("[[[\"undefined\"]]]", "[[[\"undefined\"]]]"),
                Arguments.of("[[1,[\"undefined\"]]]", "[[1,[\"undefined\"]]]"),
                Arguments.of("{\"a\":[\"undefined\"]}", "{\"a\":[\"undefined\"]}"),
                // non-finite numbers
                Arguments.of("[\"inf\"]", "[\"inf\"]"),
                Arguments.of("[\"-inf\"]", "[\"-inf\"]"),
                Arguments.of("[\"nan\"]", "[\"nan\"]"),
                // bytes: base64 without padding; Uint8Array is the markerless form
                Arguments.of("[\"bytes\",\"aGVsbG8h\"]", "[\"bytes\",\"aGVsbG8h\"]"),
                Arguments.of("[\"bytes\",\"AQIDBAU=\"]", "[\"bytes\",\"AQIDBAU\"]"),
                Arguments.of("[\"bytes\",\"AQIDBAU\"]", "[\"bytes\",\"AQIDBAU\"]"),
                Arguments.of("[\"bytes\",\"\"]", "[\"bytes\",\"\"]"),
                Arguments.of("[\"bytes\",\"SGVsbG8\",\"Uint8Array\"]", "[\"bytes\",\"SGVsbG8\"]"),
                Arguments.of("[\"bytes\",\"SGVsbG8\",\"ArrayBuffer\"]", "[\"bytes\",\"SGVsbG8\",\"ArrayBuffer\"]"),
                Arguments.of("[\"bytes\",\"AQID\",\"Int8Array\"]", "[\"bytes\",\"AQID\",\"Int8Array\"]"),
                // bigint, also beyond 2^64 and negative
                Arguments.of("[\"bigint\",\"123\"]", "[\"bigint\",\"123\"]"),
                Arguments.of("[\"bigint\",\"0\"]", "[\"bigint\",\"0\"]"),
                Arguments.of("[\"bigint\",\"18446744073709551617\"]", "[\"bigint\",\"18446744073709551617\"]"),
                Arguments.of("[\"bigint\",\"-123456789012345678901234567890\"]",
                        "[\"bigint\",\"-123456789012345678901234567890\"]"),
                // dates: milliseconds; an invalid date travels as null; a fraction is truncated
                Arguments.of("[\"date\",1749342170815]", "[\"date\",1749342170815]"),
                Arguments.of("[\"date\",-1000]", "[\"date\",-1000]"),
                Arguments.of("[\"date\",null]", "[\"date\",null]"),
                Arguments.of("[\"date\",1.7]", "[\"date\",1]"),
                // errors: the stack is redacted when sent again; props survive
                Arguments.of("[\"error\",\"TypeError\",\"msg\"]", "[\"error\",\"TypeError\",\"msg\"]"),
                Arguments.of("[\"error\",\"RangeError\",\"\"]", "[\"error\",\"RangeError\",\"\"]"),
                Arguments.of("[\"error\",\"Error\",\"m\",\"the stack\"]", "[\"error\",\"Error\",\"m\"]"),
                Arguments.of("[\"error\",\"Error\",\"m\",null,{\"code\":\"E\",\"n\":[\"bigint\",\"5\"]}]",
                        "[\"error\",\"Error\",\"m\",null,{\"code\":\"E\",\"n\":[\"bigint\",\"5\"]}]"),
                Arguments.of("[\"error\",\"Error\",\"outer\",null,{\"cause\":[\"error\",\"TypeError\",\"inner\"]}]",
                        "[\"error\",\"Error\",\"outer\",null,{\"cause\":[\"error\",\"TypeError\",\"inner\"]}]"),
                // urls
                Arguments.of("[\"url\",\"https://example.com/path?q=1\"]", "[\"url\",\"https://example.com/path?q=1\"]"),
                Arguments.of("[\"url\",\"http://127.0.0.1:8080/a#frag\"]", "[\"url\",\"http://127.0.0.1:8080/a#frag\"]"),
                // everything at once
                Arguments.of("{\"list\":[[1,[\"undefined\"],[\"date\",5],[\"bytes\",\"AQID\"]]],\"big\":[\"bigint\",\"99\"],\"n\":null}",
                        "{\"list\":[[1,[\"undefined\"],[\"date\",5],[\"bytes\",\"AQID\"]]],\"big\":[\"bigint\",\"99\"],\"n\":null}"));
    }

    @ParameterizedTest(name = "echo({0}) resolves to {1}")
    @MethodSource("echoes")
    void echoResolvesExactlyAsTheReference(String argument, String expected) {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + argument + "]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1," + expected + "]");
            peer.inject("[\"release\",1,1]");
            peer.expectNothing();
        }
    }

    @Test
    void numbersAreWrittenAsJavaScriptWritesThem() {
        // Not needed for a JS peer to read them, but the frames are then byte for byte what the
        // reference sends (JSON.stringify's shortest round-trip form).
        String numbers = "[[0.30000000000000004,1e+21,1.5e-7,123456789012,2.5,1e-7,5e-324,"
                + "1.7976931348623157e+308,-1.25,100,0.000001]]";
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + numbers.replace("e+", "e") + "]]]",
                    "[\"pull\",1]");
            assertThat(conn.peer().nextRaw()).isEqualTo("[\"resolve\",1," + numbers + "]");
        }
    }

    @Test
    void stringsAreEscapedAsJavaScriptEscapesThem() {
        // JSON.stringify escapes only quotes, backslashes and control characters below U+0020;
        // HTML characters, U+2028, DEL and non-ASCII text go through as they are.
        String json = "\"<a href='x'>&=</a> \u2028 \\u0001 \u007f \u00e9 \ud83d\ude00 \\\"q\\\" \\\\ /\"";
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.peer().inject("[\"push\",[\"pipeline\",0,[\"echo\"],[" + json + "]]]", "[\"pull\",1]");
            assertThat(conn.peer().nextRaw()).isEqualTo("[\"resolve\",1," + json + "]");
        }
    }

    @Test
    void errorOfAnUnknownTypeIsEchoedAsPlainError() {
        // The reference rebuilds errors from a fixed table of constructors (serialize.ts
        // ERROR_TYPES) and falls back to Error, whose name is then what it sends.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"error\",\"constructor\",\"x\"]]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"error\",\"Error\",\"x\"]]");
        }
    }

    @Test
    void urlIsEchoedInItsNormalisedForm() {
        // The reference parses with new URL(href) and sends url.href, the WHATWG-normalised form.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"url\",\"HTTPS://Example.COM/a/../b\"]]]]",
                    "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"url\",\"https://example.com/b\"]]");
        }
    }

    @Test
    void promiseUnderProtoKeyAddsNoKeyOnceResolved() {
        // The reference assigns the resolution to obj.__proto__, which adds no key; a promise under
        // a key like "constructor" is assigned as a plain key by both.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                    "[\"push\",[\"pipeline\",0,[\"echo\"],[{\"__proto__\":[\"pipeline\",1],\"kept\":1}]]]",
                    "[\"pull\",2]");
            peer.expect("[\"resolve\",2,{\"kept\":1}]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"echo\"],[{\"__proto__\":[\"promise\",-1]}]]]", "[\"pull\",3]",
                    "[\"resolve\",-1,{\"x\":1}]");
            peer.expect("[\"release\",-1,1]");
            peer.expect("[\"resolve\",3,{}]");
        }
    }

    @Test
    void everyArgumentIsEvaluatedIndependently() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"add\"],[[\"inf\"],1]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"inf\"]]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"add\"],[0.5,0.25]]]", "[\"pull\",2]");
            peer.expect("[\"resolve\",2,0.75]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"square\"],[[\"nan\"]]]]", "[\"pull\",3]");
            peer.expect("[\"resolve\",3,[\"nan\"]]");
        }
    }

    @Test
    void voidMethodResolvesToUndefinedAndNullToNull() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"returnUndefined\"],[]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"undefined\"]]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"returnNull\"],[]]]", "[\"pull\",2]");
            peer.expect("[\"resolve\",2,null]");
        }
    }

    @Test
    void javaTypesAreSentAsTheirProtocolCounterparts() {
        // DESIGN.md's value table: Date as date, URL as url, ByteBuffer as bytes, any Collection as
        // an array, a record as an object, a long beyond 2^53 by its exact digits (which a JS peer reads as the nearest double).
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"javaTypes\"],[]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,{\"date\":[\"date\",5],\"url\":[\"url\",\"https://example.com/u\"],"
                    + "\"buffer\":[\"bytes\",\"AQID\"],\"set\":[[\"a\",\"b\"]],\"record\":{\"x\":1,\"label\":\"p\"},"
                    + "\"long\":9223372036854775807,\"int\":7,\"char\":\"c\"}]");
        }
    }

    @Test
    void listReturnedByATargetIsEscaped() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[7]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[[0,1,1,2,3,5,8]]]");
            peer.inject("[\"push\",[\"pipeline\",0,[\"generateFibonacci\"],[0]]]", "[\"pull\",2]");
            peer.expect("[\"resolve\",2,[[]]]");
        }
    }

    // ------------------------------------------------------------------ Java client receiving

    /** {expression the peer resolves with, the Java value the promise must complete with}. */
    static Stream<Arguments> decodings() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("b", 1L);
        object.put("a", Arrays.asList(2L, Undefined.INSTANCE));
        Map<String, Object> withUndefined = new LinkedHashMap<>();
        withUndefined.put("u", Undefined.INSTANCE);
        return Stream.of(
                Arguments.of("9", 9L),
                Arguments.of("-9007199254740991", -9007199254740991L),
                Arguments.of("1.5", 1.5d),
                Arguments.of("\"s\"", "s"),
                Arguments.of("true", true),
                Arguments.of("[[1,\"a\",[[]]]]", Arrays.asList(1L, "a", List.of())),
                Arguments.of("[[\"date\",5]]", Arrays.asList("date", 5L)),
                Arguments.of("{\"b\":1,\"a\":[[2,[\"undefined\"]]]}", object),
                Arguments.of("{\"u\":[\"undefined\"]}", withUndefined),
                Arguments.of("[\"undefined\"]", Undefined.INSTANCE),
                Arguments.of("[\"inf\"]", Double.POSITIVE_INFINITY),
                Arguments.of("[\"-inf\"]", Double.NEGATIVE_INFINITY),
                Arguments.of("[\"bigint\",\"123456789012345678901234567890\"]",
                        new BigInteger("123456789012345678901234567890")),
                Arguments.of("[\"date\",1749342170815]", Instant.ofEpochMilli(1749342170815L)),
                Arguments.of("[\"url\",\"https://example.com/x?y=1\"]", URI.create("https://example.com/x?y=1")));
    }

    @ParameterizedTest(name = "resolve {0} arrives as {1}")
    @MethodSource("decodings")
    void resolvedExpressionArrivesAsTheDocumentedJavaValue(String expression, Object expected) {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            Object value = callAndResolve(conn, expression);
            assertThat(value).isEqualTo(expected);
            if (expected instanceof List) {
                assertThat(value).isInstanceOf(List.class);
            } else if (expected instanceof Map) {
                assertThat(value).isInstanceOf(Map.class);
                List<Object> keys = new ArrayList<>(((Map<?, ?>) value).keySet());
                assertThat(keys).as("keys in the peer's order")
                        .containsExactlyElementsOf(new ArrayList<Object>(((Map<?, ?>) expected).keySet()));
            } else {
                assertThat(value).isExactlyInstanceOf(expected.getClass());
            }
        }
    }

    @Test
    void nullResolvesToNull() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            assertThat(callAndResolve(conn, "null")).isNull();
        }
    }

    @Test
    void nanResolvesToNaN() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            assertThat((Double) callAndResolve(conn, "[\"nan\"]")).isNaN();
        }
    }

    @Test
    void bytesResolveToByteArraysWithOrWithoutPadding() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            assertThat((byte[]) callAndResolve(conn, "[\"bytes\",\"AQIDBAU\"]")).containsExactly(1, 2, 3, 4, 5);
        }
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            assertThat((byte[]) callAndResolve(conn, "[\"bytes\",\"AQIDBAU=\"]")).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void typedBytesResolveToAByteArrayToo() {
        // RpcStub documents byte[] for bytes; the type marker must not leak an engine type.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            Object value = callAndResolve(conn, "[\"bytes\",\"SGVsbG8\",\"ArrayBuffer\"]");
            assertThat(value).isInstanceOf(byte[].class);
            assertThat((byte[]) value).containsExactly('H', 'e', 'l', 'l', 'o');
        }
    }

    @Test
    void errorResolvedAsAValueArrivesAsRpcExceptionWithTypeMessageAndProperties() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            Object value = callAndResolve(conn,
                    "[\"error\",\"TypeError\",\"m\",\"remote stack\",{\"code\":\"E1\",\"n\":2}]");
            assertThat(value).isInstanceOf(RpcException.class);
            RpcException e = (RpcException) value;
            assertThat(e.type()).isEqualTo("TypeError");
            assertThat(e.getMessage()).isEqualTo("m");
            assertThat(e.properties()).containsExactly(Map.entry("code", "E1"), Map.entry("n", 2L));
            assertThat(e.remoteStack()).contains("remote stack");
        }
    }

    @Test
    void exportResolvedAsAValueArrivesAsAStubThatCallsBack() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            Object value = callAndResolve(conn, "[\"export\",-1]");
            assertThat(value).isInstanceOf(RpcStub.class);
            RpcStub stub = (RpcStub) value;
            RpcPromise p = stub.call("increment", 2);
            peer.expect("[\"push\",[\"pipeline\",-1,[\"increment\"],[2]]]");
            CompletableFuture<Object> f = p.toCompletableFuture();
            peer.expect("[\"pull\",2]");
            peer.inject("[\"resolve\",2,3]");
            assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(3L);
            peer.expect("[\"release\",2,1]");
            stub.close();
            peer.expect("[\"release\",-1,1]");
            peer.expectNothing();
        }
    }

    /** Calls echo() on the peer's main, pulls, answers with {@code expression}, and returns the value. */
    private static Object callAndResolve(RawPeer.Connected conn, String expression) {
        RawPeer peer = conn.peer();
        RpcStub main = conn.session().main();
        RpcPromise p = main.call("echo");
        peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[]]]");
        CompletableFuture<Object> f = p.toCompletableFuture();
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1," + expression + "]");
        peer.expect("[\"release\",1,1]");
        return f.join();
    }

    // ------------------------------------------------------------------ Java client sending

    @Test
    void argumentsOfEveryKindAreSentAsTheReferenceSendsThem() {
        // Reference exchange "args kinds": the same values passed by a reference client.
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            Map<String, Object> withUndefined = new LinkedHashMap<>();
            withUndefined.put("a", Undefined.INSTANCE);
            List<Object> list = new ArrayList<>();
            list.add(1);
            list.add(List.of(2, 3));
            list.add(withUndefined);
            conn.session().main().call("echo", list, Undefined.INSTANCE, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY, Double.NaN, BigInteger.TEN.pow(30), Instant.ofEpochMilli(5),
                    new byte[] {1, 2, 3, 4, 5}, URI.create("https://example.com/x"), RpcException.of("Error", "e"),
                    null, "s", 1.5);
            peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[[1,[[2,3]],{\"a\":[\"undefined\"]}]],[\"undefined\"],"
                    + "[\"inf\"],[\"-inf\"],[\"nan\"],[\"bigint\",\"1000000000000000000000000000000\"],[\"date\",5],"
                    + "[\"bytes\",\"AQIDBAU\"],[\"url\",\"https://example.com/x\"],[\"error\",\"Error\",\"e\"],null,\"s\",1.5]]]");
        }
    }

    @Test
    void javaArraysAndNumbersOfEveryWidthAreSentAsJsonNumbersInEscapedArrays() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            RawPeer peer = conn.peer();
            conn.session().main().call("echo", new int[] {1, 2}, new String[] {"a"}, (byte) 7, (short) 8, 9L,
                    2.5f, new java.math.BigDecimal("0.125"));
            peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[[1,2]],[[\"a\"]],7,8,9,2.5,0.125]]]");
        }
    }

    @Test
    void emptyArgumentListIsSentAsEmptyArray() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            conn.session().main().call("returnNull");
            conn.peer().expect("[\"push\",[\"pipeline\",0,[\"returnNull\"],[]]]");
        }
    }

    @Test
    void javaErrorWithPropertiesIsSentInTheFiveElementForm() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("code", "E_FOO");
            props.put("when", Instant.ofEpochMilli(1234));
            conn.session().main().call("echo", RpcException.of("RangeError", "rich", props));
            conn.peer().expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"error\",\"RangeError\",\"rich\",null,"
                    + "{\"code\":\"E_FOO\",\"when\":[\"date\",1234]}]]]]");
        }
    }

    @Test
    void cyclicArgumentIsRefusedWithAClearErrorAndNothingIsSent() {
        try (RawPeer.Connected conn = RawPeer.connect(new WireTargets.Main())) {
            List<Object> cyclic = new ArrayList<>();
            cyclic.add(cyclic);
            assertThatThrownBy(() -> conn.session().main().call("echo", cyclic).join(Duration.ofSeconds(5)))
                    .isInstanceOf(RuntimeException.class);
            conn.peer().expectNothing();
        }
    }
}
