package capnweb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.api.spi.ProviderRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scenarios that are more than one session's calls: what they set up is what they claim. */
@Timeout(60)
class LoadClientTest {

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "vertx"})
    void sessions64SpreadsItsCallsOverSixtyFourSessions(String transport) throws Exception {
        ProviderRegistry registry = ProviderRegistry.load();
        AtomicInteger sessions = new AtomicInteger();
        RpcServer server = registry.transport(Optional.of(transport)).serve(
                ServerOptions.builder(() -> {
                    sessions.incrementAndGet();
                    return new BenchTarget();
                }).port(0).transport(transport).build(), registry.engine());
        try {
            LoadClient client = new LoadClient(server.uri(), transport, null, 0.3, 0.2, false);

            Window.Measured measured = client.run("sessions64");

            assertThat(sessions.get()).isEqualTo(64);
            assertThat(measured.ops()).isPositive();
        } finally {
            server.close();
        }
    }
}
