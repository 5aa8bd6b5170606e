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
    void echoesEveryMessageInOrderButPushAndRelease(String transport) throws Exception {
        RpcServer server = ProviderRegistry.load().transport(Optional.of(transport))
                .serve(RawEcho.serverOptions(0, transport), new RawEcho.EchoEngine());
        try (RawEcho.Client client = RawEcho.Client.connect(
                URI.create(server.uri().toString().replaceFirst("^http", "ws")), transport)) {
            for (int i = 0; i < 20; i++) {
                // The frames of a call the server drops come between the echoed ones: were any of
                // them answered, the echoes would be matched to the wrong requests.
                client.sendUnanswered(LoadClient.RAW_PUSH);
                assertThat(client.send("message " + i)).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("message " + i);
                client.sendUnanswered(LoadClient.RAW_RELEASE);
            }
        } finally {
            server.close();
        }
    }
}
