package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No two classes of the API and the engine may need each other to initialize: a thread
 * initializing one waits for the other while a second thread does the reverse. The first sessions
 * made at once on a new JVM deadlocked that way when the hook superclass's initializer made a
 * subclass. Class initialization happens once per JVM and class loader, so the check runs in a new
 * JVM, with a new class loader for each class.
 */
class ClassInitTest {

    @Test
    void noTwoClassesNeedEachOtherToInitialize() throws Exception {
        String classPath = Stream.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .filter(p -> !p.isEmpty()).collect(Collectors.joining(File.pathSeparator));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", classPath,
                ClassInitProbe.class.getName())
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = output.lines().toList();
        assertThat(lines).as(output).hasSize(1);
        // Fewer would mean the probe did not find the classes it is meant to check.
        assertThat(lines.get(0)).as(output).startsWith("checked ");
        assertThat(Integer.parseInt(lines.get(0).substring("checked ".length()))).isGreaterThan(100);
    }
}
