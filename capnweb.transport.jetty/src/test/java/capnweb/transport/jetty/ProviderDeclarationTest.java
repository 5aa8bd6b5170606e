package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.ServiceDeclarations;
import org.junit.jupiter.api.Test;

/** The module descriptor and the class-path service file name the same provider. */
class ProviderDeclarationTest {

    @Test
    void serviceFileAgreesWithModuleDescriptor() throws Exception {
        ServiceDeclarations.assertDeclaredAlike(TransportProvider.class, JettyTransportProvider.class);
    }

    @Test
    void providerIsNamedJettyAndAvailable() {
        JettyTransportProvider provider = new JettyTransportProvider();
        assertThat(provider.name()).isEqualTo("jetty");
        assertThat(provider.priority()).isEqualTo(10);
        assertThat(provider.availability().available()).isTrue();
    }
}
