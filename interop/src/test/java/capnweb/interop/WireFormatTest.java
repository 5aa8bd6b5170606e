package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Exact messages of the Java server over a raw WebSocket, compared with what the reference server
 * sends for the same input (numbers compared as numbers).
 */
class WireFormatTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private record Exchange(String name, List<String> send, List<String> expect) {
    }

    private static String call(String method, String args) {
        return "[\"push\",[\"pipeline\",0,[\"" + method + "\"]," + args + "]]";
    }

    private static List<Exchange> exchanges() {
        List<Exchange> list = new ArrayList<>();
        list.add(new Exchange("resolveOfNumber", List.of(call("square", "[4]"), "[\"pull\",1]"),
                List.of("[\"resolve\",1,16]")));
        list.add(new Exchange("rejectCarriesTypeAndMessageWithoutStack", List.of(call("throwError", "[]"), "[\"pull\",1]"),
                List.of("[\"reject\",1,[\"error\",\"RangeError\",\"test error\"]]")));
        list.add(new Exchange("missingMethodIsTypeErrorLikeTheReference", List.of(call("noSuchMethod", "[]"), "[\"pull\",1]"),
                List.of("[\"reject\",1,[\"error\",\"TypeError\",\"'noSuchMethod' is not a function.\"]]")));
        list.add(new Exchange("undefinedIsEncoded", List.of(call("returnUndefined", "[]"), "[\"pull\",1]"),
                List.of("[\"resolve\",1,[\"undefined\"]]")));
        list.add(new Exchange("arraysAreEscaped", List.of(call("generateFibonacci", "[4]"), "[\"pull\",1]"),
                List.of("[\"resolve\",1,[[0,1,1,2]]]")));
        list.add(new Exchange("specialValuesRoundTrip", List.of(call("echo",
                "[{\"a\":[\"undefined\"],\"b\":[\"bigint\",\"18446744073709551617\"],\"c\":[\"date\",1700000000123],"
                        + "\"d\":[\"bytes\",\"AAH/\"],\"e\":[\"nan\"],\"f\":[\"-inf\"],\"g\":[[[\"inf\"]]]}]"), "[\"pull\",1]"),
                List.of("[\"resolve\",1,{\"a\":[\"undefined\"],\"b\":[\"bigint\",\"18446744073709551617\"],"
                        + "\"c\":[\"date\",1700000000123],\"d\":[\"bytes\",\"AAH/\"],\"e\":[\"nan\"],\"f\":[\"-inf\"],"
                        + "\"g\":[[[\"inf\"]]]}]")));
        list.add(new Exchange("errorWithPropertiesRoundTrips", List.of(call("echo",
                "[[\"error\",\"TypeError\",\"boom\",null,{\"code\":42,\"cause\":[\"error\",\"Error\",\"inner\"]}]]"), "[\"pull\",1]"),
                List.of("[\"resolve\",1,[\"error\",\"TypeError\",\"boom\",null,{\"code\":42,\"cause\":[\"error\",\"Error\",\"inner\"]}]]")));
        list.add(new Exchange("pipelinedCallOnAPromise", List.of(call("makeCounter", "[5]"),
                "[\"push\",[\"pipeline\",1,[\"increment\"],[2]]]", "[\"pull\",2]"),
                List.of("[\"resolve\",2,7]")));
        list.add(new Exchange("serverObjectsAreExportedWithNegativeIds", List.of(call("makeCounter", "[5]"), "[\"pull\",1]"),
                List.of("[\"resolve\",1,[\"export\",-1]]")));
        list.add(new Exchange("releasedResultLeavesSessionWorking", List.of(call("square", "[2]"), "[\"pull\",1]",
                "[\"release\",1,1]", call("square", "[3]"), "[\"pull\",2]"),
                List.of("[\"resolve\",1,4]", "[\"resolve\",2,9]")));
        return list;
    }

    @TestFactory
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    List<DynamicNode> javaServerSendsWhatTheReferenceSends() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String transport : List.of("jetty", "vertx")) {
            List<DynamicNode> tests = new ArrayList<>();
            for (Exchange exchange : exchanges()) {
                tests.add(DynamicTest.dynamicTest(exchange.name(), () -> org.junit.jupiter.api.Assertions
                        .assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(transport, exchange))));
            }
            nodes.add(DynamicContainer.dynamicContainer(transport, tests));
        }
        return nodes;
    }

    private static void run(String transport, Exchange exchange) throws Exception {
        RpcServer server = TestServer.start(0, transport);
        try (RawWebSocket socket = RawWebSocket.connect(server.port())) {
            for (String frame : exchange.send()) {
                socket.sendText(frame);
            }
            for (String expected : exchange.expect()) {
                String actual = socket.next(WAIT);
                assertThat(actual).as("reply expected: %s", expected).isNotNull();
                assertThat(MiniJson.parse(actual)).as("%s (sent %s)", actual, exchange.send())
                        .isEqualTo(MiniJson.parse(expected));
            }
        } finally {
            server.close(Duration.ofSeconds(5));
        }
    }
}
