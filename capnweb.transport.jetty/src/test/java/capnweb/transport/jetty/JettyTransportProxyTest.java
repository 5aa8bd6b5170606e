package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.ForwardProxy;
import capnweb.transport.testkit.TransportProxyTest;
import org.junit.jupiter.api.Test;

/** The shared proxy suite, run over Jetty with the real engine. */
class JettyTransportProxyTest extends TransportProxyTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }

    @Test
    void theClientOfAProxyStopsWhenItsLastSessionCloses() throws Exception {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = ForwardProxy.http();
        resources.add(proxy);
        ClientOptions options = ClientOptions.builder().proxy(proxy.proxy()).build();
        RpcSession webSocket = connect(webSocketUri(server), options);
        RpcSession batch = connect(server.uri(), options);
        assertThat(batch.main().call("add", 1, 1).join(WAIT)).isEqualTo(2L);
        await("the batch session ended", WAIT, () -> batch.closed().toCompletableFuture().isDone());
        assertThat(webSocket.main().call("add", 2, 2).join(WAIT)).as("still in use by the WebSocket").isEqualTo(4L);
        assertThat(proxyClientThreads()).as("one client for the proxy, running").isPositive();

        webSocket.close();

        await("the proxy's client stopped", WAIT, () -> proxyClientThreads() == 0);
    }

    private static long proxyClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("capnweb-jetty-client-proxy")).count();
    }
}
