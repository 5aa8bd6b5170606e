package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.spi.TransportProvider;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module descriptor and the class-path service file name the same provider. */
class ProviderDeclarationTest {

    @Test
    void serviceFileAgreesWithModuleDescriptor() throws Exception {
        Module module = JettyTransportProvider.class.getModule();
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
        assertThat(declared).containsExactly(JettyTransportProvider.class.getName());
        assertThat(listed).isEqualTo(declared);
    }

    @Test
    void providerIsNamedJettyAndAvailable() {
        JettyTransportProvider provider = new JettyTransportProvider();
        assertThat(provider.name()).isEqualTo("jetty");
        assertThat(provider.priority()).isEqualTo(10);
        assertThat(provider.availability().available()).isTrue();
    }
}
