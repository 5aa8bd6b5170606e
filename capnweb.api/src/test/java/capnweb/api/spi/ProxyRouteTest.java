package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.ClientOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProxyRouteTest {
    private static final URI SERVER = URI.create("wss://api.example:8443/rpc?x=1");

    private static ProxySelector selector(Function<URI, List<Proxy>> select) {
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return select.apply(uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException failure) {
            }
        };
    }

    private static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port));
    }

    @Test
    void withoutAProxySettingEveryConnectionIsDirect() {
        assertThat(ClientOptions.defaults().proxy()).isEmpty();
        assertThat(ProxyRoute.of(ClientOptions.defaults(), SERVER)).isEmpty();
    }

    @Test
    void theSelectorIsAskedWithTheHttpSchemeAWebSocketStartsAs() {
        List<URI> asked = new ArrayList<>();
        ClientOptions options = ClientOptions.builder().proxy(selector(uri -> {
            asked.add(uri);
            return List.of(Proxy.NO_PROXY);
        })).build();

        for (String uri : List.of("ws://h:1/a", "wss://api.example:8443/rpc?x=1", "http://h/b", "https://h/c")) {
            assertThat(ProxyRoute.of(options, URI.create(uri))).as(uri).isEmpty();
        }

        assertThat(asked).extracting(URI::toString)
                .containsExactly("http://h:1/a", "https://api.example:8443/rpc?x=1", "http://h/b", "https://h/c");
    }

    @Test
    void theFirstProxyNamedIsTakenAndItsHostKeptAsGiven() {
        ClientOptions options = ClientOptions.builder()
                .proxy(selector(uri -> List.of(http("proxy.corp", 3128), http("backup.corp", 3128)))).build();

        ProxyRoute route = ProxyRoute.of(options, SERVER).orElseThrow();

        assertThat(route.kind()).isEqualTo(ProxyRoute.Kind.HTTP);
        assertThat(route.host()).isEqualTo("proxy.corp");
        assertThat(route.port()).isEqualTo(3128);
        assertThat(route.username()).isEmpty();
        assertThat(route).hasToString("the HTTP proxy at proxy.corp:3128");
    }

    @Test
    void aSocksProxyIsSocks5AndCarriesTheCredentials() {
        char[] password = "s3cret".toCharArray();
        ClientOptions options = ClientOptions.builder()
                .proxy(new Proxy(Proxy.Type.SOCKS, InetSocketAddress.createUnresolved("::1", 1080)))
                .proxyCredentials("alice", password).build();
        password[0] = 'X'; // the options keep their own copy

        ProxyRoute route = ProxyRoute.of(options, SERVER).orElseThrow();

        assertThat(route.kind()).isEqualTo(ProxyRoute.Kind.SOCKS5);
        assertThat(route).hasToString("the SOCKS5 proxy at [::1]:1080");
        assertThat(route.username()).contains("alice");
        assertThat(route.password()).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("s3cret"));
    }

    @Test
    void routesWithTheSameProxyAndCredentialsAreEqual() {
        ClientOptions a = ClientOptions.builder().proxy(http("p", 1)).proxyCredentials("u", "pw".toCharArray()).build();
        ClientOptions b = ClientOptions.builder().proxy(http("p", 1)).proxyCredentials("u", "pw".toCharArray()).build();
        ClientOptions other = ClientOptions.builder().proxy(http("p", 1)).proxyCredentials("u", "no".toCharArray()).build();

        assertThat(ProxyRoute.of(a, SERVER)).isEqualTo(ProxyRoute.of(b, SERVER));
        assertThat(ProxyRoute.of(a, SERVER).orElseThrow().hashCode()).isEqualTo(ProxyRoute.of(b, SERVER).orElseThrow().hashCode());
        assertThat(ProxyRoute.of(a, SERVER)).isNotEqualTo(ProxyRoute.of(other, SERVER));
    }

    @Test
    void anEmptyAnswerOrADirectProxyIsADirectConnection() {
        assertThat(ProxyRoute.of(ClientOptions.builder().proxy(selector(uri -> List.of())).build(), SERVER)).isEmpty();
        assertThat(ProxyRoute.of(ClientOptions.builder().proxy(Proxy.NO_PROXY).build(), SERVER)).isEmpty();
    }

    @Test
    void aFailingSelectorIsNamedInASentence() {
        ClientOptions failing = ClientOptions.builder().proxy(selector(uri -> {
            throw new IllegalStateException("no PAC file");
        })).build();

        assertThatThrownBy(() -> ProxyRoute.of(failing, SERVER)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The proxy selector of ClientOptions.proxy failed for " + SERVER + ": no PAC file");
    }

    @Test
    void credentialsNeedAProxy() {
        assertThatThrownBy(() -> ClientOptions.builder().proxyCredentials("u", "p".toCharArray()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ClientOptions.proxyCredentials needs a proxy: name it with proxy(...) too.");
    }

    @Test
    void refusalsSayWhatToDo() {
        ProxyRoute anonymous = ProxyRoute.of(ClientOptions.builder().proxy(http("p", 1)).build(), SERVER).orElseThrow();
        ProxyRoute alice = ProxyRoute.of(ClientOptions.builder().proxy(http("p", 1))
                .proxyCredentials("alice", "x".toCharArray()).build(), SERVER).orElseThrow();

        assertThat(anonymous.tunnelRefused(407, "Proxy Authentication Required")).isEqualTo("the HTTP proxy at p:1 "
                + "refused the tunnel with HTTP status 407 Proxy Authentication Required. The proxy asks for "
                + "credentials: give them with ClientOptions.proxyCredentials");
        assertThat(alice.tunnelRefused(407, null)).isEqualTo("the HTTP proxy at p:1 refused the tunnel with HTTP "
                + "status 407. The proxy refused the credentials of ClientOptions.proxyCredentials");
        assertThat(anonymous.tunnelRefused(403, "Forbidden"))
                .isEqualTo("the HTTP proxy at p:1 refused the tunnel with HTTP status 403 Forbidden");
        assertThat(anonymous.answered(502, "HTTP status 502 Bad Gateway"))
                .isEqualTo("HTTP status 502 Bad Gateway (through the HTTP proxy at p:1)");
        assertThat(anonymous.failureReason("Connection refused"))
                .isEqualTo("Connection refused (through the HTTP proxy at p:1)");
    }
}
