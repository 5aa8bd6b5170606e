package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java server's pings with the reference client: a WebSocket session of the reference client
 * stays quiet for four of the server's idle timeouts and carries on, because the ws package
 * answers the pings; with the pings turned off the same session is cut.
 */
class KeepaliveInteropTest {
    private static final List<String> TRANSPORTS = List.of("jetty", "vertx");
    private static final Map<String, String> QUIET_TWO_SECONDS = Map.of("QUIET_MS", "2000");

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aQuietReferenceClientKeepsItsSessionByAnsweringPings() {
        for (String transport : TRANSPORTS) {
            RpcServer server = TestServer.start(0, transport, b -> b.idleTimeout(Duration.ofMillis(500)));
            try {
                Node.Result result = quietSession(server);
                assertThat(result.lines()).as(transport + " (stderr: %s)", result.stderr()).singleElement()
                        .asString().contains("\"pass\":true");
            } finally {
                server.close(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void withoutPingsTheQuietSessionIsCut() {
        for (String transport : TRANSPORTS) {
            RpcServer server = TestServer.start(0, transport,
                    b -> b.idleTimeout(Duration.ofMillis(500)).pingInterval(Duration.ZERO));
            try {
                Node.Result result = quietSession(server);
                assertThat(result.lines()).as(transport + " (stderr: %s)", result.stderr()).singleElement()
                        .asString().contains("\"pass\":false");
            } finally {
                server.close(Duration.ofSeconds(10));
            }
        }
    }

    private static Node.Result quietSession(RpcServer server) {
        return Node.run(Duration.ofSeconds(60), QUIET_TWO_SECONDS, "client.mjs",
                "ws://127.0.0.1:" + server.port() + "/rpc", "session.quietBetweenCalls");
    }
}
