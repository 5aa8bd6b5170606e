package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients behind a proxy ({@code ClientOptions.proxy}): a WebSocket session goes through an HTTP
 * proxy in a {@code CONNECT} tunnel and a plain batch as a request the proxy forwards; both go
 * through a SOCKS5 proxy; credentials reach a proxy that asks for them; and a proxy that refuses,
 * or cannot be reached, fails the connection with a sentence that names it. The TLS suite sends
 * {@code wss:} and {@code https:} through a tunnel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportProxyTest extends HardeningSupport {

    private ForwardProxy start(ForwardProxy proxy) {
        resources.add(proxy);
        return proxy;
    }

    /** Opens a WebSocket and a batch session to {@code server} and makes a call on each. */
    private void assertBothKindsOfSessionWork(RpcServer server, ClientOptions options) {
        RpcSession webSocket = connect(webSocketUri(server), options);
        assertThat(webSocket.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        RpcSession batch = connect(server.uri(), options);
        assertThat(batch.main().call("add", 3, 4).join(WAIT)).isEqualTo(7L);
    }

    private static String authority(RpcServer server) {
        return "127.0.0.1:" + server.uri().getPort();
    }

    @Test
    void aWebSocketSessionGoesThroughAnHttpProxyInATunnel() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.http());

        RpcSession session = connect(webSocketUri(server), ClientOptions.builder().proxy(proxy.proxy()).build());

        assertThat(session.main().call("add", 40, 2).join(WAIT)).isEqualTo(42L);
        assertThat(proxy.requests()).containsExactly("CONNECT " + authority(server));
    }

    @Test
    void aBatchGoesThroughAnHttpProxyAsARequestItForwards() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.http());

        RpcSession session = connect(server.uri(), ClientOptions.builder().proxy(proxy.proxy()).build());

        assertThat(session.main().call("add", 40, 2).join(WAIT)).isEqualTo(42L);
        assertThat(proxy.requests()).containsExactly("POST " + server.uri());
    }

    @Test
    void bothKindsOfSessionGoThroughASocks5Proxy() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.socks5());
        ClientOptions options = ClientOptions.builder().proxy(proxy.proxy()).build();

        assertBothKindsOfSessionWork(server, options);

        assertThat(proxy.requests()).hasSizeBetween(1, 2).allMatch(r -> r.equals("SOCKS5 " + authority(server)));
    }

    @Test
    void anHttpProxyThatAsksForCredentialsGetsThemAndRefusesWrongOnes() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.http("alice", "s3cret:pass"));
        ClientOptions options = ClientOptions.builder().proxy(proxy.proxy())
                .proxyCredentials("alice", "s3cret:pass".toCharArray()).build();

        assertBothKindsOfSessionWork(server, options);

        // Sent from the first request, without waiting to be challenged.
        assertThat(proxy.requests()).containsExactly("CONNECT " + authority(server), "POST " + server.uri());

        ClientOptions wrong = ClientOptions.builder().proxy(proxy.proxy())
                .proxyCredentials("alice", "guess".toCharArray()).build();
        assertThatThrownBy(() -> connect(webSocketUri(server), wrong))
                .hasMessageContaining("Could not open a WebSocket to " + webSocketUri(server) + ": the HTTP proxy at "
                        + "127.0.0.1:" + proxy.port() + " refused the tunnel with HTTP status 407 Proxy Authentication "
                        + "Required. The proxy refused the credentials of ClientOptions.proxyCredentials.");
    }

    @Test
    void anHttpProxyThatAsksForCredentialsAndGetsNoneFailsTheConnectionWithAdvice() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.http("alice", "s3cret"));
        ClientOptions options = ClientOptions.builder().proxy(proxy.proxy()).build();
        String advice = "The proxy asks for credentials: give them with ClientOptions.proxyCredentials";

        assertThatThrownBy(() -> connect(webSocketUri(server), options))
                .hasMessageContaining("Could not open a WebSocket to " + webSocketUri(server) + ": the HTTP proxy at "
                        + "127.0.0.1:" + proxy.port() + " refused the tunnel with HTTP status 407 Proxy Authentication "
                        + "Required. " + advice + ".");
        RpcSession batch = connect(server.uri(), options);
        assertThatThrownBy(() -> batch.main().call("add", 1, 2).join(WAIT))
                .hasMessageContaining("The Cap'n Web batch request to " + server.uri() + " failed with HTTP status 407 "
                        + "Proxy Authentication Required: Credentials needed (through the HTTP proxy at 127.0.0.1:"
                        + proxy.port() + "). " + advice + ".");
        assertThat(proxy.requests()).isNotEmpty().allMatch(r -> r.endsWith(" refused"));
    }

    @Test
    void aSocks5ProxyGetsItsCredentialsAndRefusesWrongOnes() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.socks5("alice", "s3cret"));
        ClientOptions right = ClientOptions.builder().proxy(proxy.proxy())
                .proxyCredentials("alice", "s3cret".toCharArray()).build();
        ClientOptions wrong = ClientOptions.builder().proxy(proxy.proxy())
                .proxyCredentials("alice", "guess".toCharArray()).build();
        ClientOptions none = ClientOptions.builder().proxy(proxy.proxy()).build();
        String failed = "Could not open a WebSocket to " + webSocketUri(server) + ": the SOCKS5 proxy at 127.0.0.1:"
                + proxy.port();

        RpcSession session = connect(webSocketUri(server), right);
        assertThat(session.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        assertThatThrownBy(() -> connect(webSocketUri(server), wrong))
                .hasMessageContaining(failed + " refused the credentials of ClientOptions.proxyCredentials.");
        assertThatThrownBy(() -> connect(webSocketUri(server), none))
                .hasMessageContaining(failed + " asks for credentials: give them with ClientOptions.proxyCredentials.");

        assertThat(proxy.requests()).containsExactly("SOCKS5 " + authority(server), "SOCKS5 refused", "SOCKS5 refused");
    }

    @Test
    void aSelectorIsAskedWithHttpSchemesAndItsDirectAnswerGoesStraightToTheServer() throws IOException {
        RpcServer server = startServer(b -> b);
        ForwardProxy proxy = start(ForwardProxy.http());
        List<URI> asked = new CopyOnWriteArrayList<>();
        // Direct for the server's own address, as http.nonProxyHosts would say; the proxy for any other.
        ProxySelector selector = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                asked.add(uri);
                return List.of(uri.getPort() == server.uri().getPort() ? Proxy.NO_PROXY : proxy.proxy());
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException failure) {
            }
        };
        ClientOptions options = ClientOptions.builder().proxy(selector).build();

        assertBothKindsOfSessionWork(server, options);

        assertThat(asked).containsExactly(server.uri(), server.uri());
        assertThat(proxy.requests()).isEmpty();
    }

    @Test
    void aProxyThatCannotBeReachedFailsTheConnectionNamingIt() throws IOException {
        RpcServer server = startServer(b -> b);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ClientOptions options = ClientOptions.builder()
                .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", closedPort))).build();

        assertThatThrownBy(() -> connect(webSocketUri(server), options))
                .hasMessageContaining("Could not open a WebSocket to " + webSocketUri(server))
                .hasMessageContaining("(through the HTTP proxy at 127.0.0.1:" + closedPort + ")");
        RpcSession batch = connect(server.uri(), options);
        assertThatThrownBy(() -> batch.main().call("add", 1, 2).join(WAIT))
                .hasMessageContaining("The Cap'n Web batch request to " + server.uri() + " failed")
                .hasMessageContaining("(through the HTTP proxy at 127.0.0.1:" + closedPort + ")");
    }
}
