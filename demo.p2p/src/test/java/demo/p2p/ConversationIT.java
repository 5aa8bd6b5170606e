package demo.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the demo as a person would, as separate JVMs, once per transport from the module path and
 * once from the class path, and checks what both peers say.
 */
@Timeout(180)
class ConversationIT {
    private static final Path MODULE_DIR = Path.of(System.getProperty("demo.dir", ".")).toAbsolutePath();

    @Test
    void peersTalkOverJettyFromTheModulePath() throws Exception {
        Result r = runScript("jetty");
        assertConversation(r, "jetty");
        assertThat(r.output).contains("[alice] Alice called callMeBack(<stub of Alice>)")
                .contains("-> \"Hello, I'm Alice!\"");
    }

    @Test
    void peersTalkOverVertxFromTheModulePath() throws Exception {
        Result r = runScript("vertx");
        assertConversation(r, "vertx");
    }

    @Test
    void peersTalkOverHttpBatch() throws Exception {
        Result r = runScript("jetty", "--batch");
        assertThat(r.exitCode).as(r.output).isZero();
        assertThat(r.output)
                .contains("[alice] Alice sent greet(), 3 chat() calls and getStats().messagesReceived in one HTTP batch")
                .contains("[bob]   Bob called greet() -> \"Hello, I'm Alice!\"")
                .contains("[alice] Alice called getStats().messagesReceived   [pipelined in the same batch] -> 3");
    }

    @Test
    void peersTalkFromTheClassPath() throws Exception {
        int alicePort = freePort();
        int bobPort = freePort();
        String cp = MODULE_DIR.resolve("target/demo-p2p.jar") + java.io.File.pathSeparator
                + MODULE_DIR.resolve("target/lib-jetty") + java.io.File.separator + "*";
        Process alice = java(cp, "alice", alicePort, bobPort);
        Process bob = java(cp, "bob", bobPort, alicePort);
        String aliceOut = finish(alice);
        String bobOut = finish(bob);
        assertThat(alice.exitValue()).as(aliceOut).isZero();
        assertThat(bob.exitValue()).as(bobOut).isZero();
        assertThat(aliceOut).contains("transport: jetty").contains("Alice called greet() -> \"Hello, I'm Bob!\"");
        assertThat(bobOut).contains("Bob called greet() -> \"Hello, I'm Alice!\"");
    }

    private static void assertConversation(Result r, String transport) {
        assertThat(r.exitCode).as(r.output).isZero();
        assertThat(r.output)
                .contains("[alice] transport: " + transport)
                .contains("[bob]   transport: " + transport)
                .contains("[alice] Alice called greet() -> \"Hello, I'm Bob!\"")
                .contains("[bob]   Bob called greet() -> \"Hello, I'm Alice!\"")
                .contains("[alice] Alice called chat(\"Talk soon.\") -> \"Bob has received 3 messages\"")
                .contains("[bob]   Bob read the property name -> \"Alice\"")
                .contains("[alice] Alice called getStats().messagesReceived   [pipelined: one round trip] -> 3")
                .contains("[alice] Alice called getStats() -> {name=Bob, messagesReceived=3}")
                .contains("[bob]   Bob called getStats() -> {name=Alice, messagesReceived=3}")
                .contains("Both peers finished their conversation over " + transport + ".");
    }

    private static Result runScript(String transport, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", MODULE_DIR.resolve("run.sh").toString(), "both", transport,
                "--alice-port", String.valueOf(freePort()), "--bob-port", String.valueOf(freePort())));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = finish(p);
        return new Result(p.exitValue(), out);
    }

    private static Process java(String classPath, String who, int port, int peerPort) throws IOException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(javaBin.toString(), "-cp", classPath, "demo.p2p.Main", who,
                "--port", String.valueOf(port), "--peer-port", String.valueOf(peerPort), "--exit")
                .redirectErrorStream(true).start();
    }

    private static String finish(Process p) throws Exception {
        Path log = Files.createTempFile("demo", ".log");
        try {
            Thread pump = new Thread(() -> {
                try {
                    Files.copy(p.getInputStream(), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            pump.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            pump.join(5000);
            return Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private record Result(int exitCode, String output) {
    }
}
