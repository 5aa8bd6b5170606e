package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportTlsTest;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The shared TLS suite, run over Jetty with the real engine. */
class JettyTransportTlsTest extends TransportTlsTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }

    @Test
    void theClientOfATrustStopsWhenItsLastSessionCloses() throws Exception {
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        ClientOptions trusting = ClientOptions.builder().tlsTrust(certificateOf(loopback)).build();
        RpcSession webSocket = connect(URI.create(server.uri().toString().replaceFirst("^https", "wss")), trusting);
        assertThat(webSocket.main().call("add", 1, 1).join(WAIT)).isEqualTo(2L);
        // A batch session ends with its batch, and lets go of the client then.
        RpcSession batch = connect(server.uri(), trusting);
        assertThat(batch.main().call("add", 1, 1).join(WAIT)).isEqualTo(2L);
        await("the batch session ended", WAIT, () -> batch.closed().toCompletableFuture().isDone());
        assertThat(webSocket.main().call("add", 2, 2).join(WAIT)).as("still in use by the WebSocket").isEqualTo(4L);
        assertThat(tlsClientThreads()).as("one client for the trust, running").isPositive();

        webSocket.close();

        await("the trust's client stopped", WAIT, () -> tlsClientThreads() == 0);
    }

    private static long tlsClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("capnweb-jetty-client-tls")).count();
    }
}
