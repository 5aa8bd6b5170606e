package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(ProviderRegistry.TRANSPORT_PROPERTY);
    }

    @Test
    void noTransportNamesTheJarsToAdd() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(), List.of());
        assertThatThrownBy(registry::transport)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("No Cap'n Web transport found: put capnweb.transport.jetty or "
                        + "capnweb.transport.vertx on the module path.");
    }

    @Test
    void noEngineNamesTheJarToAdd() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(), List.of());
        assertThatThrownBy(registry::engine)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("capnweb.protocol");
    }

    @Test
    void highestPriorityWins() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(),
                List.of(new FakeTransport("low", 1, true), new FakeTransport("high", 9, true)));
        assertThat(registry.transport().name()).isEqualTo("high");
    }

    @Test
    void tiesGoByName() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(),
                List.of(new FakeTransport("zeta", 5, true), new FakeTransport("alpha", 5, true)));
        assertThat(registry.transport().name()).isEqualTo("alpha");
        assertThat(registry.transports()).extracting(TransportProvider::name).containsExactly("alpha", "zeta");
    }

    @Test
    void unavailableProviderIsPassedOver() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(),
                List.of(new FakeTransport("best", 9, false), new FakeTransport("other", 1, true)));
        assertThat(registry.transport().name()).isEqualTo("other");
    }

    @Test
    void everyRefusalIsListedWhenNoneIsAvailable() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(),
                List.of(new FakeTransport("one", 9, false), new FakeTransport("two", 1, false)));
        assertThatThrownBy(registry::transport)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one: one is switched off")
                .hasMessageContaining("two: two is switched off");
    }

    @Test
    void systemPropertyForcesATransport() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(),
                List.of(new FakeTransport("jetty", 10, true), new FakeTransport("vertx", 5, true)));
        System.setProperty(ProviderRegistry.TRANSPORT_PROPERTY, "vertx");
        assertThat(registry.transport().name()).isEqualTo("vertx");
    }

    @Test
    void explicitNameWinsOverPriority() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(),
                List.of(new FakeTransport("jetty", 10, true), new FakeTransport("vertx", 5, true)));
        assertThat(registry.transport(Optional.of("vertx")).name()).isEqualTo("vertx");
    }

    @Test
    void unknownNameSaysWhatWasFound() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(), List.of(new FakeTransport("jetty", 10, true)));
        assertThatThrownBy(() -> registry.transport(Optional.of("netty")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'netty'")
                .hasMessageContaining("found: jetty");
    }

    @Test
    void namedButUnavailableTransportSaysWhy() {
        ProviderRegistry registry = ProviderRegistry.of(List.of(), List.of(new FakeTransport("jetty", 10, false)));
        assertThatThrownBy(() -> registry.transport(Optional.of("jetty")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jetty is switched off");
    }

    @Test
    void engineChoiceIsByPriorityThenName() {
        ProviderRegistry registry = ProviderRegistry.of(
                List.of(new FakeEngine("b", 0), new FakeEngine("a", 0), new FakeEngine("c", 3)), List.of());
        assertThat(registry.engine().name()).isEqualTo("c");
        assertThat(registry.engines()).extracting(RpcEngine::name).containsExactly("c", "a", "b");
    }

    @Test
    void availabilityNeedsAReasonExactlyWhenUnavailable() {
        assertThatThrownBy(() -> new Availability(false, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Availability(true, Optional.of("why")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Availability.unavailable("gone").reason()).contains("gone");
    }

    private static final class FakeTransport implements TransportProvider {
        private final String name;
        private final int priority;
        private final boolean available;

        FakeTransport(String name, int priority, boolean available) {
            this.name = name;
            this.priority = priority;
            this.available = available;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability availability() {
            return available ? Availability.ok() : Availability.unavailable(name + " is switched off");
        }

        @Override
        public RpcServer serve(ServerOptions options, RpcEngine engine) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<RpcSession> connect(URI uri, ClientOptions options, RpcEngine engine) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class FakeEngine implements RpcEngine {
        private final String name;
        private final int priority;

        FakeEngine(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options) {
            throw new UnsupportedOperationException();
        }
    }
}
