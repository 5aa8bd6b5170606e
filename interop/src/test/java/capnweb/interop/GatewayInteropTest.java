package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionStats;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Java gateway between two reference peers: it holds a session to the reference server (the
 * backend) and hands its clients a stub of it. The reference client calls, pipelines and maps on
 * that stub through the gateway, over WebSocket and HTTP batch, on both transports, and over
 * WebSocket also reads, sends and writes streams and passes a callback through it; once the
 * client is gone the gateway's backend session holds no more than it started with.
 */
class GatewayInteropTest {
    private static final String EXPECTED = "{\"square\":49,\"squares\":[0,1,1,4,9,25],\"counter\":8,"
            + "\"doubled\":[[0,0],[1,1],[1,1],[2,2],[3,3],[5,5]]}";
    /** Over WebSocket: a stream read, one sent and one written to, and a callback, through the gateway. */
    private static final String EXPECTED_STREAMS = "{\"numbers\":[0,1,2,3],\"sum\":6.5,\"written\":[0,1,2],"
            + "\"called\":{\"result\":15}}";
    private static Node.ReadyProcess backendServer;

    @BeforeAll
    static void startBackend() {
        backendServer = Node.startReferenceServer();
    }

    @AfterAll
    static void stopBackend() {
        if (backendServer != null) {
            backendServer.close();
        }
    }

    /** The gateway's main object: hands out the backend. */
    public static final class Gateway implements RpcTarget {
        private final RpcStub backend;

        Gateway(RpcStub backend) {
            this.backend = backend;
        }

        public RpcStub backend() {
            return backend.dup();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theReferenceClientUsesTheReferenceServerThroughAJavaGateway() throws Exception {
        for (String transport : List.of("jetty", "vertx")) {
            URI backendUri = URI.create("ws://127.0.0.1:" + backendServer.port() + "/rpc");
            try (RpcSession backendSession = CapnWeb.connect(backendUri,
                    ClientOptions.builder().transport(transport).build());
                 RpcStub backend = backendSession.main()) {
                SessionStats before = backendSession.stats();
                RpcServer gateway = CapnWeb.serve(ServerOptions.builder(() -> new Gateway(backend))
                        .host("127.0.0.1").port(0).transport(transport).build());
                try {
                    for (String scheme : List.of("ws", "http")) {
                        String url = scheme + "://127.0.0.1:" + gateway.port() + "/rpc";
                        Node.Result result = Node.run(Duration.ofSeconds(30), "gateway.mjs", url);
                        List<String> expected = scheme.equals("ws") ? List.of(EXPECTED, EXPECTED_STREAMS)
                                : List.of(EXPECTED);
                        assertThat(result.lines()).as("%s %s, stderr: %s", transport, url, result.stderr())
                                .isEqualTo(expected);
                        assertReleased(backendSession, before, transport + " " + url);
                    }
                } finally {
                    gateway.close(Duration.ofSeconds(10));
                }
            }
        }
    }

    /** Waits up to 10 s for the backend session to hold only what it held before the client came. */
    private static void assertReleased(RpcSession backendSession, SessionStats before, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!backendSession.stats().equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(backendSession.stats()).as("the backend session after %s", what).isEqualTo(before);
    }
}
