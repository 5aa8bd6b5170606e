package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared Jetty clients never keep a JVM alive. */
class ClientLifecycleTest {

    /** Started in a child JVM: uses both shared clients, then returns from main without stopping them. */
    static final class ChildMain {
        public static void main(String[] args) throws Exception {
            JettyTransportProvider provider = new JettyTransportProvider();
            FakeEngine engine = new FakeEngine();
            URI nowhere = URI.create("ws://127.0.0.1:1/rpc");
            provider.connect(nowhere, capnweb.api.ClientOptions.defaults(), engine)
                    .toCompletableFuture().handle((s, e) -> e).get(10, TimeUnit.SECONDS);
            provider.connect(URI.create("http://127.0.0.1:1/rpc"), capnweb.api.ClientOptions.defaults(), engine)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            engine.lastPoster.post("x").toCompletableFuture().handle((s, e) -> e).get(10, TimeUnit.SECONDS);
            System.out.println("done");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jvmExitsWhileTheSharedClientsAreStillStarted() throws Exception {
        String path = Stream.of(System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""))
                .filter(s -> !s.isEmpty()).collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("capnweb-child", ".log");
        Process child = new ProcessBuilder(List.of(java.toString(), "-cp", path, ChildMain.class.getName()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = child.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        assertThat(exited).as("the child JVM exited by itself; output:\n" + output).isTrue();
        assertThat(output).contains("done");
        assertThat(child.exitValue()).isZero();
    }
}
