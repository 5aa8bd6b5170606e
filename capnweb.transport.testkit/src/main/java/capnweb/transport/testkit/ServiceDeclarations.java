package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks that a provider module declares its service the same way for the module path
 * ({@code provides} in module-info) and the class path ({@code META-INF/services}).
 */
public final class ServiceDeclarations {

    private ServiceDeclarations() {
    }

    /**
     * Asserts that the module of {@code provider}, run on the module path, provides {@code service}
     * with exactly {@code provider}, and that its service file lists the same.
     *
     * @param service the service interface
     * @param provider the provider class
     * @throws IOException if the service file cannot be read
     */
    public static void assertDeclaredAlike(Class<?> service, Class<?> provider) throws IOException {
        Module module = provider.getModule();
        assertThat(module.isNamed()).as("tests run on the module path").isTrue();
        ModuleDescriptor descriptor = module.getDescriptor();
        List<String> declared = descriptor.provides().stream()
                .filter(p -> p.service().equals(service.getName()))
                .flatMap(p -> p.providers().stream())
                .collect(Collectors.toList());

        List<String> listed;
        try (InputStream in = module.getResourceAsStream("META-INF/services/" + service.getName())) {
            assertThat(in).as("META-INF/services file").isNotNull();
            listed = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .collect(Collectors.toList());
        }
        assertThat(declared).containsExactly(provider.getName());
        assertThat(listed).isEqualTo(declared);
    }
}
