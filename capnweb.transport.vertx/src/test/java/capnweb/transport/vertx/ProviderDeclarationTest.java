package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.ServiceDeclarations;
import java.lang.module.ModuleDescriptor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider is declared consistently and discovery finds it when it is the only transport. */
class ProviderDeclarationTest {

    @Test
    void serviceFileAgreesWithModuleDescriptor() throws Exception {
        ServiceDeclarations.assertDeclaredAlike(TransportProvider.class, VertxTransportProvider.class);
    }

    @Test
    void providerIsNamedVertxRanksBelowJettyAndIsAvailable() {
        VertxTransportProvider provider = new VertxTransportProvider();
        assertThat(provider.name()).isEqualTo("vertx");
        assertThat(provider.priority()).isEqualTo(5).isLessThan(10);
        assertThat(provider.availability().available()).isTrue();
        assertThat(provider.availability().reason()).isEmpty();
    }

    @Test
    void discoveryFindsThisTransportWhenItIsTheOnlyOne() {
        ProviderRegistry registry = ProviderRegistry.load();
        assertThat(registry.transports()).extracting(TransportProvider::name).containsExactly("vertx");
        assertThat(registry.transport().name()).isEqualTo("vertx");
        assertThat(registry.transport(Optional.of("vertx"))).isInstanceOf(VertxTransportProvider.class);
    }

    @Test
    void theExportedPackageIsTheOnlyOne() {
        ModuleDescriptor descriptor = VertxTransportProvider.class.getModule().getDescriptor();
        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactly("capnweb.transport.vertx");
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("capnweb.api", "io.vertx.core");
    }
}
