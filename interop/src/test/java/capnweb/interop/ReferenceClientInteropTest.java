package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import capnweb.api.RpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The reference client (npm capnweb, run by interop/node/client.mjs) against the Java server, on
 * both transports and both endpoints: one dynamic test per case the runner reports.
 */
class ReferenceClientInteropTest {
    private static final List<String> TRANSPORTS = List.of("jetty", "vertx");
    private static final List<String> ENDPOINTS = List.of("ws", "http");
    private static final Duration RUNNER_TIMEOUT = Duration.ofMinutes(3);

    @TestFactory
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    List<DynamicNode> referenceClientAgainstJavaServer() {
        List<DynamicNode> transports = new ArrayList<>();
        for (String transport : TRANSPORTS) {
            Map<String, Map<String, Outcome>> byEndpoint = runAgainst(transport);
            List<DynamicNode> endpoints = new ArrayList<>();
            for (String endpoint : ENDPOINTS) {
                List<DynamicNode> tests = byEndpoint.get(endpoint).entrySet().stream()
                        .map(e -> DynamicTest.dynamicTest(e.getKey(),
                                () -> e.getValue().check(transport + " " + endpoint + " " + e.getKey())))
                        .collect(Collectors.toList());
                endpoints.add(DynamicContainer.dynamicContainer(transport + " " + endpoint, tests));
            }
            transports.add(DynamicContainer.dynamicContainer(transport, endpoints));
        }
        return transports;
    }

    @org.junit.jupiter.api.Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void referenceClientPassesEveryCaseAgainstTheReferenceServer() {
        // Proves the cases themselves: the reference client and the reference server agree on them.
        try (Node.ReadyProcess server = Node.startReferenceServer()) {
            for (String endpoint : ENDPOINTS) {
                Node.Result result = Node.run(RUNNER_TIMEOUT, "client.mjs", url(endpoint, server.port()));
                List<String> failures = result.lines().stream().filter(l -> !l.contains("\"pass\":true")).collect(Collectors.toList());
                assertThat(failures).as("failed cases (stderr: %s)", result.stderr()).isEmpty();
                assertThat(result.lines()).hasSizeGreaterThan(100);
                assertThat(result.exitCode()).isZero();
            }
        }
    }

    private static String url(String endpoint, int port) {
        return (endpoint.equals("ws") ? "ws" : "http") + "://127.0.0.1:" + port + "/rpc";
    }

    /** Runs every case for both endpoints against a fresh Java server on {@code transport}. */
    private static Map<String, Map<String, Outcome>> runAgainst(String transport) {
        Map<String, Map<String, Outcome>> byEndpoint = new LinkedHashMap<>();
        Map<String, List<String>> names = new LinkedHashMap<>();
        for (String endpoint : ENDPOINTS) {
            Node.Result listed = Node.run(Duration.ofSeconds(60), "client.mjs", url(endpoint, 1), "--list");
            if (listed.exitCode() != 0 || listed.lines().isEmpty()) {
                throw new IllegalStateException("client.mjs --list failed: " + listed.stderr());
            }
            names.put(endpoint, listed.lines());
        }
        RpcServer server;
        try {
            server = TestServer.start(0, transport);
        } catch (RuntimeException e) {
            for (String endpoint : ENDPOINTS) {
                Map<String, Outcome> outcomes = new LinkedHashMap<>();
                for (String name : names.get(endpoint)) {
                    outcomes.put(name, Outcome.failed("the Java server on " + transport + " did not start: " + e));
                }
                byEndpoint.put(endpoint, outcomes);
            }
            return byEndpoint;
        }
        try {
            assertThat(server.transport()).isEqualTo(transport);
            for (String endpoint : ENDPOINTS) {
                Map<String, Outcome> outcomes = new LinkedHashMap<>();
                for (String name : names.get(endpoint)) {
                    outcomes.put(name, null);
                }
                Node.Result result;
                try {
                    result = Node.run(RUNNER_TIMEOUT, "client.mjs", url(endpoint, server.port()));
                } catch (IllegalStateException e) {
                    result = new Node.Result(List.of(), e.getMessage(), -1);
                }
                for (String line : result.lines()) {
                    if (!line.startsWith("{")) {
                        continue;
                    }
                    Map<String, Object> json = MiniJson.parseObject(line);
                    outcomes.put((String) json.get("case"), Boolean.TRUE.equals(json.get("pass"))
                            ? Outcome.PASSED : Outcome.failed((String) json.get("detail")));
                }
                String why = "the case runner reported nothing for this case (exit code " + result.exitCode()
                        + ", stderr: " + result.stderr() + ")";
                outcomes.replaceAll((name, outcome) -> outcome == null ? Outcome.failed(why) : outcome);
                byEndpoint.put(endpoint, outcomes);
            }
        } finally {
            server.close(Duration.ofSeconds(10));
        }
        return byEndpoint;
    }

    /** What the runner reported for one case. */
    private record Outcome(boolean passed, String detail) {
        static final Outcome PASSED = new Outcome(true, "");

        static Outcome failed(String detail) {
            return new Outcome(false, detail);
        }

        void check(String where) {
            if (!passed) {
                fail("[" + where + "] " + detail);
            }
        }
    }
}
