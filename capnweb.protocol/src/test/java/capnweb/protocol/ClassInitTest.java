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
 * Initializing the hook superclass must not initialize a subclass: a thread initializing the
 * subclass first waits for the superclass, while the superclass waits for the subclass, and the
 * first sessions made at once on a new JVM deadlocked that way. Class initialization happens once
 * per JVM, so the check runs in a new one.
 */
class ClassInitTest {

    @Test
    void initializingTheHookSuperclassInitializesNoSubclass() throws Exception {
        String classPath = Stream.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .filter(p -> !p.isEmpty()).collect(Collectors.joining(File.pathSeparator));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", classPath,
                ClassInitProbe.class.getName())
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output.lines().toList()).as(output).isEqualTo(List.of("done"));
    }
}
