package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Raw frames that are not valid Cap'n Web, sent to the Java server on each transport: each must
 * get an {@code abort} message or a closed connection, and the server must go on serving new
 * sessions afterwards.
 */
class HostileInputTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SQUARE_PUSH = "[\"push\",[\"pipeline\",0,[\"square\"],[3]]]";

    /** One hostile WebSocket input: the frames to send. */
    private record Hostile(String name, List<Object> frames) {
    }

    private static List<Hostile> hostileFrames() {
        List<Hostile> list = new ArrayList<>();
        list.add(new Hostile("malformedJson", List.of("[\"push\", ")));
        list.add(new Hostile("emptyFrame", List.of("")));
        list.add(new Hostile("objectInsteadOfArray", List.of("{\"push\": 1}")));
        list.add(new Hostile("topLevelNumber", List.of("42")));
        list.add(new Hostile("unknownMessageType", List.of("[\"frobnicate\", 1]")));
        list.add(new Hostile("pushWithoutExpression", List.of("[\"push\"]")));
        list.add(new Hostile("pullOfUnknownId", List.of("[\"pull\", 12345]")));
        list.add(new Hostile("pullOfNegativeId", List.of("[\"pull\", -1]")));
        list.add(new Hostile("pullWithStringId", List.of("[\"pull\", \"one\"]")));
        list.add(new Hostile("releaseOfIdNeverExported", List.of("[\"release\", 999, 1]")));
        list.add(new Hostile("releaseMoreThanHeld", List.of("[\"release\", 0, 1000]")));
        list.add(new Hostile("releaseWithFractionalId", List.of("[\"release\", 0.5, 1]")));
        list.add(new Hostile("pipelineOnUnknownImport", List.of("[\"push\",[\"pipeline\",777,[\"square\"],[2]]]")));
        list.add(new Hostile("unknownSpecialValue", List.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"frob\",1]]]]")));
        list.add(new Hostile("malformedRemap", List.of("[\"push\",[\"remap\",0,[],[],\"notAnArray\"]]")));
        list.add(new Hostile("nestingTooDeep", List.of("[\"push\",[\"pipeline\",0,[\"echo\"],[" + "[[".repeat(300) + "1"
                + "]]".repeat(300) + "]]]")));
        list.add(new Hostile("bigintWithTooManyDigits", List.of("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bigint\",\""
                + "1".repeat(20_000) + "\"]]]]")));
        list.add(new Hostile("binaryFrame", List.of(new byte[] {'[', '"', 'p', 'u', 'l', 'l', '"', ',', '1', ']'})));
        list.add(new Hostile("hugeFrame", List.of("[\"push\",[\"pipeline\",0,[\"echo\"],[\"" + "x".repeat(33 * 1024 * 1024) + "\"]]]")));
        list.add(new Hostile("validCallThenGarbage", List.of(SQUARE_PUSH, "[\"pull\",1]", "}{")));
        return list;
    }

    @TestFactory
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    List<DynamicNode> hostileInputIsRefusedAndServerGoesOn() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String transport : List.of("jetty", "vertx")) {
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(test(transport, "validSessionOverRawFrames", HostileInputTest::assertServesNewSession));
            for (Hostile hostile : hostileFrames()) {
                tests.add(test(transport, "websocket." + hostile.name(), port -> {
                    try (RawWebSocket socket = RawWebSocket.connect(port)) {
                        boolean refusedWhileSending = false;
                        for (Object frame : hostile.frames()) {
                            try {
                                if (frame instanceof String) {
                                    socket.sendText((String) frame);
                                } else {
                                    socket.sendBinary((byte[]) frame);
                                }
                            } catch (java.util.concurrent.ExecutionException closed) {
                                // The server closed the connection before the frame was written
                                // (e.g. Netty refuses an oversize frame from its header, or an
                                // earlier frame was aborted): a refusal by closing.
                                assertThat(closed).hasRootCauseInstanceOf(java.io.IOException.class);
                                refusedWhileSending = true;
                                break;
                            }
                        }
                        if (!refusedWhileSending) {
                            assertAbortedOrClosed(socket);
                        }
                    }
                    assertServesNewSession(port);
                }));
            }
            tests.add(test(transport, "websocket.clientAbortEndsSession", port -> {
                try (RawWebSocket socket = RawWebSocket.connect(port)) {
                    socket.sendText("[\"abort\",[\"error\",\"Error\",\"client gives up\"]]");
                    String next = socket.next(WAIT);
                    assertThat(next).as("the server closes the connection after the client's abort")
                            .isNotNull().startsWith("CLOSED");
                }
                assertServesNewSession(port);
            }));
            tests.add(test(transport, "http.validBatch", port -> {
                HttpResponse<String> response = post(port, SQUARE_PUSH + "\n[\"pull\",1]");
                assertThat(response.statusCode()).isEqualTo(200);
                assertResolvesToNine(response.body());
            }));
            tests.add(test(transport, "http.emptyBodyIsZeroMessages", port -> {
                HttpResponse<String> response = post(port, "");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEmpty();
            }));
            for (Map.Entry<String, String> bad : Map.of(
                    "malformedJson", "[\"push\",",
                    "unknownMessageType", "[\"frobnicate\"]",
                    "pullOfUnknownId", "[\"pull\",4242]",
                    "releaseOfIdNeverExported", "[\"release\",999,1]",
                    "binaryGarbage", "\u0000\u0001\u0002").entrySet()) {
                tests.add(test(transport, "http." + bad.getKey(), port -> {
                    HttpResponse<String> response = post(port, bad.getValue());
                    assertThat(response.statusCode() >= 400 || response.body().contains("[\"abort\""))
                            .as("an HTTP error or an abort in the body, got %s: %s", response.statusCode(), response.body())
                            .isTrue();
                    HttpResponse<String> after = post(port, SQUARE_PUSH + "\n[\"pull\",1]");
                    assertThat(after.statusCode()).isEqualTo(200);
                    assertResolvesToNine(after.body());
                }));
            }
            tests.add(test(transport, "http.hugeBody", port -> {
                String huge = "[\"push\",[\"pipeline\",0,[\"echo\"],[\"" + "x".repeat(33 * 1024 * 1024) + "\"]]]\n[\"pull\",1]";
                HttpResponse<String> response;
                try {
                    response = post(port, huge);
                } catch (java.io.IOException e) {
                    response = null; // the server may also cut the connection
                }
                if (response != null) {
                    assertThat(response.statusCode() >= 400 || response.body().contains("[\"abort\""))
                            .as("an HTTP error or an abort in the body, got %s", response.statusCode()).isTrue();
                }
                assertServesNewSession(port);
            }));
            tests.add(test(transport, "http.getIsRefusedWith405", port -> {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc")).GET()
                                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(405);
            }));
            nodes.add(DynamicContainer.dynamicContainer(transport, tests));
        }
        return nodes;
    }

    @FunctionalInterface
    private interface PortBody {
        void run(int port) throws Throwable;
    }

    private static DynamicTest test(String transport, String name, PortBody body) {
        Executable executable = () -> {
            try (ServerHandle server = new ServerHandle(TestServer.start(0, transport))) {
                body.run(server.server.port());
            }
        };
        return DynamicTest.dynamicTest(name, () -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(90), executable));
    }

    private record ServerHandle(RpcServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close(Duration.ofSeconds(5));
        }
    }

    private static void assertAbortedOrClosed(RawWebSocket socket) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String next = socket.next(Duration.ofMillis(200));
            if (next == null) {
                continue;
            }
            seen.add(abbreviate(next));
            if (next.startsWith("CLOSED") || next.startsWith("ERROR")) {
                return;
            }
            if (next.startsWith("[\"abort\"")) {
                List<?> abort = (List<?>) MiniJson.parse(next);
                assertThat(abort).hasSize(2);
                assertThat(abort.get(1)).as("the abort carries an error").isInstanceOf(List.class);
                assertThat(((List<?>) abort.get(1)).get(0)).isEqualTo("error");
                return;
            }
            if (next.startsWith("[\"resolve\"")) {
                continue; // a valid call sent before the garbage may still be answered
            }
            throw new AssertionError("expected an abort or a close, got " + seen);
        }
        throw new AssertionError("neither an abort nor a close within " + WAIT + "; got " + seen);
    }

    /** A fresh WebSocket session and a fresh batch both still answer square(3). */
    private static void assertServesNewSession(int port) throws Exception {
        try (RawWebSocket socket = RawWebSocket.connect(port)) {
            socket.sendText(SQUARE_PUSH);
            socket.sendText("[\"pull\",1]");
            String reply = socket.next(WAIT);
            assertThat(reply).as("reply to a new session's call").isNotNull();
            assertResolvesToNine(reply);
        }
        HttpResponse<String> response = post(port, SQUARE_PUSH + "\n[\"pull\",1]");
        assertThat(response.statusCode()).isEqualTo(200);
        assertResolvesToNine(response.body());
    }

    private static void assertResolvesToNine(String message) {
        Object parsed = MiniJson.parse(message);
        assertThat(parsed).as("reply %s", message).isInstanceOf(List.class);
        List<?> list = (List<?>) parsed;
        assertThat(list).hasSize(3);
        assertThat(list.get(0)).isEqualTo("resolve");
        assertThat(((Number) list.get(1)).doubleValue()).isEqualTo(1.0);
        assertThat(((Number) list.get(2)).doubleValue()).isEqualTo(9.0);
    }

    private static HttpResponse<String> post(int port, String body) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc"))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
