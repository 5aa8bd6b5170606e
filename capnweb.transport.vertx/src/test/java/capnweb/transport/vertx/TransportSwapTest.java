package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.ServerOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same application code, written against capnweb.api only, runs on this transport: asked for
 * by name, and found by discovery when it is the only transport on the module path.
 */
@Timeout(60)
class TransportSwapTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** What an application writes; it names no transport class. */
    private static void greetOverBothEndpoints(ServerOptions serverOptions, ClientOptions clientOptions) {
        try (RpcServer server = CapnWeb.serve(serverOptions)) {
            assertThat(server.transport()).isEqualTo("vertx");
            URI batch = server.uri();
            URI webSocket = URI.create(batch.toString().replaceFirst("^http", "ws"));
            for (URI uri : List.of(webSocket, batch)) {
                try (RpcSession session = CapnWeb.connect(uri, clientOptions); RpcStub main = session.main()) {
                    assertThat(main.call("greet", "Vert.x").join(WAIT)).as(uri.toString()).isEqualTo("Hello, Vert.x!");
                }
            }
        }
    }

    @Test
    void userCodeRunsOnVertxWhenAskedForByName() {
        greetOverBothEndpoints(ServerOptions.builder(Greeter::new).transport("vertx").build(),
                ClientOptions.builder().transport("vertx").build());
    }

    @Test
    void userCodeRunsOnVertxFoundByDiscovery() {
        assertThat(CapnWeb.transportName()).isEqualTo("vertx");
        greetOverBothEndpoints(ServerOptions.builder(Greeter::new).build(), ClientOptions.defaults());
    }

    @Test
    void pipelinedCallsOverAWebSocketSessionOnTheDiscoveredTransport() {
        try (RpcServer server = CapnWeb.serve(ServerOptions.builder(Greeter::new).build());
             RpcSession session = CapnWeb.connect(URI.create(server.uri().toString().replaceFirst("^http", "ws")));
             RpcStub main = session.main()) {
            var first = main.call("add", 1, 2);
            var second = main.call("add", 40, 2);
            assertThat(first.join(WAIT)).isEqualTo(3L);
            assertThat(second.join(WAIT)).isEqualTo(42L);
            assertThat(server.openSessions()).isEqualTo(1);
        }
    }
}
