package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load: a thousand idle WebSocket sessions held on one server while another session keeps
 * calling, and the heap each idle session costs. The idle peers are {@link PlainWebSocket}s
 * (a socket each, no thread), so nearly all the heap measured is the server's. Bounded to well
 * under a minute on two cores; the number of sessions shrinks if the process may not open enough
 * files, and the test says so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TransportLoadTest extends HardeningSupport {
    /** The idle sessions the test holds when the file limit allows. */
    protected static final int IDLE_SESSIONS = 1000;

    @Test
    void thousandIdleSessionsWhileAnotherKeepsCalling() throws Exception {
        int n = sessionsTheFileLimitAllows();
        RpcServer server = startServer(b -> b);
        URI uri = webSocketUri(server);
        RpcSession busy = connect(uri, ClientOptions.defaults());
        RpcStub main = busy.main();
        assertThat(main.call("add", 1, 1).join(WAIT)).isEqualTo(2L);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        AtomicLong slowestNanos = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            long i = 0;
            while (!stop.get()) {
                long started = System.nanoTime();
                try {
                    Object sum = main.call("add", i, 1).join(WAIT);
                    if (!Long.valueOf(i + 1).equals(sum)) {
                        throw new AssertionError("add(" + i + ", 1) returned " + sum);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    return;
                }
                slowestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
                calls.incrementAndGet();
                i++;
            }
        }, "load-test-caller");
        caller.setDaemon(true);
        caller.start();

        long before = usedHeapAfterGc();
        long callsBefore = calls.get();
        List<PlainWebSocket> idle = new ArrayList<>(n);
        resources.add(() -> idle.forEach(PlainWebSocket::close));
        long openStarted = System.nanoTime();
        for (int i = 0; i < n; i++) {
            idle.add(PlainWebSocket.open(uri, 0));
        }
        await(n + " idle sessions open", Duration.ofSeconds(30), () -> server.openSessions() == n + 1);
        Duration opening = Duration.ofNanos(System.nanoTime() - openStarted);
        long after = usedHeapAfterGc();
        long callsDuring = calls.get() - callsBefore;

        stop.set(true);
        caller.join(WAIT.toMillis());
        assertThat(failure.get()).as("a call failed under load").isNull();
        assertThat(callsDuring).as("calls that succeeded while the sessions opened").isPositive();
        assertThat(Duration.ofNanos(slowestNanos.get())).as("the slowest call").isLessThan(Duration.ofSeconds(5));

        long perSession = (after - before) / n;
        String report = String.format("%s: %d idle WebSocket sessions opened in %d ms; heap after GC %d -> %d KiB, "
                + "%.1f KiB per idle session; %d calls of another session meanwhile, slowest %d ms (%s, %d cores, %s)",
                provider().name(), n, opening.toMillis(), before / 1024, after / 1024, perSession / 1024.0, callsDuring,
                TimeUnit.NANOSECONDS.toMillis(slowestNanos.get()), System.getProperty("java.vm.name") + " "
                + Runtime.version(), Runtime.getRuntime().availableProcessors(), Instant.now());
        System.out.println(report);
        writeReport(report);
        // A generous ceiling: an idle session that costs more than this is a regression worth seeing.
        assertThat(perSession).as("heap per idle session, bytes").isLessThan(256 * 1024);

        assertThat(main.call("add", 20, 22).join(WAIT)).isEqualTo(42L);
        idle.forEach(PlainWebSocket::close);
        await("the idle sessions ended", Duration.ofSeconds(30), () -> server.openSessions() == 1);
        assertThat(main.call("add", 2, 2).join(WAIT)).isEqualTo(4L);
    }

    /** Leaves the measurement where a build can pick it up: target/hardening/load-PROVIDER.txt. */
    private void writeReport(String report) {
        try {
            Path dir = Path.of("target", "hardening");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("load-" + provider().name() + ".txt"), report + System.lineSeparator());
        } catch (IOException | RuntimeException e) {
            // Only a convenience; the measurement is printed too.
        }
    }

    /** Two descriptors per session (client and server socket, one process) plus a reserve. */
    private static int sessionsTheFileLimitAllows() {
        long limit = openFileLimit();
        int allowed = (int) Math.min(IDLE_SESSIONS, Math.max(50, (limit - 300) / 2));
        if (allowed < IDLE_SESSIONS) {
            System.out.println("The open-file limit is " + limit + "; holding " + allowed
                    + " idle sessions instead of " + IDLE_SESSIONS + " (raise it with ulimit -n).");
        }
        return allowed;
    }

    private static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: assume enough
        }
        return Long.MAX_VALUE;
    }
}
