package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The provider is declared consistently and discovery finds it when it is the only transport. */
class ProviderDeclarationTest {

    @Test
    void serviceFileAgreesWithModuleDescriptor() throws Exception {
        Module module = VertxTransportProvider.class.getModule();
        assertThat(module.isNamed()).as("tests run on the module path").isTrue();
        ModuleDescriptor descriptor = module.getDescriptor();
        List<String> declared = descriptor.provides().stream()
                .filter(p -> p.service().equals(TransportProvider.class.getName()))
                .flatMap(p -> p.providers().stream())
                .collect(Collectors.toList());

        List<String> listed;
        try (InputStream in = module.getResourceAsStream("META-INF/services/" + TransportProvider.class.getName())) {
            assertThat(in).as("META-INF/services file").isNotNull();
            listed = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .collect(Collectors.toList());
        }
        assertThat(declared).containsExactly(VertxTransportProvider.class.getName());
        assertThat(listed).isEqualTo(declared);
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
