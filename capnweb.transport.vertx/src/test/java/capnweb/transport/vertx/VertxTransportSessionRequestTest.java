package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.api.SessionRefusedException;
import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportSessionRequestTest;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared suite of main object factories that see the request, run over Vertx with the real engine. */
class VertxTransportSessionRequestTest extends TransportSessionRequestTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    @Test
    void theVertxClientQuotesTheSentenceOfARefusedUpgrade() {
        RpcServer server = provider().serve(ServerOptions.builderWithRequest(request -> {
            throw new SessionRefusedException(403, "Sessions are only taken from pages of https://app.example.");
        }).host("127.0.0.1").port(0).build(), engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        URI ws = URI.create(server.uri().toString().replaceFirst("^http", "ws"));
        assertThat(provider().connect(ws, ClientOptions.defaults(), engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining("Could not open a WebSocket to " + ws
                        + ": the WebSocket upgrade was refused with HTTP status 403: Sessions are only taken from pages "
                        + "of https://app.example.");
    }
}
