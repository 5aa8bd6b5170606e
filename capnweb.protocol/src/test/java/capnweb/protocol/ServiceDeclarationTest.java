package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.spi.RpcEngine;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ServiceDeclarationTest {

    @Test
    void moduleDescriptorAndServicesFileNameTheSameProvider() throws IOException {
        ModuleDescriptor descriptor = CapnWebEngine.class.getModule().getDescriptor();
        assertThat(descriptor).as("tests run on the module path").isNotNull();
        List<String> provided = descriptor.provides().stream()
                .filter(p -> p.service().equals(RpcEngine.class.getName()))
                .flatMap(p -> p.providers().stream())
                .collect(Collectors.toList());

        String file;
        try (InputStream in = CapnWebEngine.class.getModule()
                .getResourceAsStream("META-INF/services/" + RpcEngine.class.getName())) {
            assertThat(in).as("META-INF/services file").isNotNull();
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> listed = file.lines().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());

        assertThat(provided).containsExactly(CapnWebEngine.class.getName());
        assertThat(listed).isEqualTo(provided);
    }

    @Test
    void moduleExportsNothing() {
        ModuleDescriptor descriptor = CapnWebEngine.class.getModule().getDescriptor();
        assertThat(descriptor.exports()).isEmpty();
        assertThat(descriptor.opens()).isEmpty();
    }

    @Test
    void providerIsPublicFinalWithANoArgConstructor() throws ReflectiveOperationException {
        assertThat(Modifier.isPublic(CapnWebEngine.class.getModifiers())).isTrue();
        assertThat(Modifier.isFinal(CapnWebEngine.class.getModifiers())).isTrue();
        RpcEngine engine = CapnWebEngine.class.getConstructor().newInstance();
        assertThat(engine.name()).isEqualTo("capnweb.protocol");
    }
}
