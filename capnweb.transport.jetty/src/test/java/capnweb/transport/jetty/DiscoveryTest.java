package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CapnWeb;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.ServerOptions;
import capnweb.transport.testkit.KitTargets;
import capnweb.transport.testkit.RawHttp;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The API finds this transport and the engine with ServiceLoader, as users get them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiscoveryTest {

    @Test
    void capnWebServesAndConnectsThroughTheDiscoveredJettyTransport() {
        KitTargets.State state = new KitTargets.State();
        try (RpcServer server = CapnWeb.serve(ServerOptions.builder(() -> new KitTargets.Main(state)).build())) {
            assertThat(server.transport()).isEqualTo("jetty");
            assertThat(CapnWeb.transportName()).isEqualTo("jetty");
            URI ws = URI.create(server.uri().toString().replaceFirst("^http", "ws"));
            try (RpcSession session = CapnWeb.connect(ws);
                 RpcStub main = session.main()) {
                assertThat(main.call("add", 20, 22).join(Duration.ofSeconds(10))).isEqualTo(42L);
            }
            try (RpcSession batch = CapnWeb.connect(server.uri());
                 RpcStub main = batch.main()) {
                assertThat(main.call("add", 1, 2).join(Duration.ofSeconds(10))).isEqualTo(3L);
            }
        }
        assertThat(state.mainsCreated).hasValue(2);
    }

    @Test
    void handlerWithoutAnExplicitEngineUsesTheDiscoveredOne() throws Exception {
        KitTargets.State state = new KitTargets.State();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(CapnWebHandler.builder(() -> new KitTargets.Main(state)).build());
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/whatever");
            RawHttp.Response r = RawHttp.post(uri, "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[\"resolve\",1,3]");
        } finally {
            server.stop();
        }
    }
}
