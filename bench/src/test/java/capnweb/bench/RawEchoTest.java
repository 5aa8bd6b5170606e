package capnweb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import capnweb.api.spi.ProviderRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The raw echo the RPC rows are compared with must really echo, over each transport. */
class RawEchoTest {

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "vertx"})
    void echoesEveryMessageInOrder(String transport) throws Exception {
        RpcServer server = ProviderRegistry.load().transport(Optional.of(transport))
                .serve(RawEcho.serverOptions(0, transport), new RawEcho.EchoEngine());
        try (RawEcho.Client client = RawEcho.Client.connect(
                URI.create(server.uri().toString().replaceFirst("^http", "ws")), transport)) {
            for (int i = 0; i < 20; i++) {
                assertThat(client.send("message " + i)).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("message " + i);
            }
        } finally {
            server.close();
        }
    }
}
