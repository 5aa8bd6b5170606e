package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * interop/test-server.sh, run as INTEROP.md says (from the repository root, on what {@code package}
 * built): it prints READY, serves both endpoints to the reference client, is itself the JVM, and
 * ends on SIGTERM.
 */
class ServerScriptIT {

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "vertx"})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void scriptServesBothEndpointsAndStopsOnSigterm(String transport) throws Exception {
        Path root = Path.of(System.getProperty("interop.repo.root", "..")).toAbsolutePath().normalize();
        assertThat(root.resolve("interop/test-server.sh")).satisfies(p -> assertThat(Files.isExecutable(p)).isTrue());
        ProcessBuilder builder = new ProcessBuilder("interop/test-server.sh", "0", transport).directory(root.toFile());
        builder.environment().put("JAVA_OPTS", "-Xmx256m -Dinterop.script.test=" + transport);
        try (Node.ReadyProcess server = Node.startServer(builder, Duration.ofSeconds(60))) {
            assertThat(server.readyLine()).isEqualTo("READY http://127.0.0.1:" + server.port());

            // exec: the script's process is the JVM itself, with JAVA_OPTS applied
            String command = server.process().info().command().orElse("");
            assertThat(Path.of(command).getFileName().toString()).isEqualTo("java");
            List<String> args = List.of(server.process().info().arguments().orElse(new String[0]));
            assertThat(args).contains("-Xmx256m", "-Dinterop.script.test=" + transport, "-Dcapnweb.transport=" + transport);

            for (String scheme : List.of("ws", "http")) {
                Node.Result result = Node.run(Duration.ofSeconds(60), "client.mjs",
                        scheme + "://127.0.0.1:" + server.port() + "/rpc",
                        "square.integer", "makeCounter.pipelinedIncrements", "map.fibonacciSquares");
                assertThat(result.lines()).as("runner output (stderr: %s)", result.stderr())
                        .hasSize(3).allSatisfy(line -> assertThat(line).contains("\"pass\":true"));
            }

            server.process().destroy(); // SIGTERM
            assertThat(server.process().waitFor(15, TimeUnit.SECONDS)).as("ended after SIGTERM").isTrue();
            // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited on the signal
            assertThat(server.process().exitValue()).isIn(0, 143);
        }
    }
}
