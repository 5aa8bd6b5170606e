package capnweb.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the scripts of interop/node (the reference implementation) as child processes. */
final class Node {
    /**
     * Reads of a child's output block for as long as it runs: each gets a daemon thread of its
     * own. On the common pool (the async methods' default on JDK 25, even with one thread on 2
     * cores) they would hold it, and everything else queued there would wait.
     */
    private static final Executor OWN_THREAD = task -> {
        Thread t = new Thread(task, "node-output");
        t.setDaemon(true);
        t.start();
    };

    private Node() {
    }

    static Path dir() {
        String configured = System.getProperty("interop.node.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("node");
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("capnweb"))) {
            throw new IllegalStateException("The reference implementation is not installed in " + dir.toAbsolutePath()
                    + "; build the interop module with Maven, which runs npm ci there.");
        }
        return dir;
    }

    /** The output of a finished script: its standard output lines, its standard error and exit code. */
    record Result(List<String> lines, String stderr, int exitCode) {
    }

    /**
     * Runs {@code node script args...} and waits for it to end, killing it after {@code timeout}.
     */
    static Result run(Duration timeout, String script, String... args) {
        return run(timeout, Map.of(), script, args);
    }

    /**
     * Runs {@code node script args...} with {@code environment} added to this process's, and
     * waits for it to end, killing it after {@code timeout}.
     */
    static Result run(Duration timeout, Map<String, String> environment, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir().toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start node (Node 18+ must be on the PATH): " + e.getMessage(), e);
        }
        CompletableFuture<List<String>> out = CompletableFuture.supplyAsync(
                () -> readLines(process.getInputStream()), OWN_THREAD);
        CompletableFuture<List<String>> err = CompletableFuture.supplyAsync(
                () -> readLines(process.getErrorStream()), OWN_THREAD);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("node " + String.join(" ", command.subList(1, command.size()))
                        + " did not finish within " + timeout + "; it printed: " + out.getNow(List.of()));
            }
            return new Result(out.get(10, TimeUnit.SECONDS), String.join("\n", err.get(10, TimeUnit.SECONDS)),
                    process.exitValue());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for node", e);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not read the output of node: " + e, e);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static List<String> readLines(java.io.InputStream in) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("<output cut: " + e.getMessage() + ">");
        }
        return lines;
    }

    /** Starts the reference server ({@code server.mjs}, the interop TestTarget) on a free port. */
    static ReadyProcess startReferenceServer() {
        return startServer(new ProcessBuilder("node", "server.mjs", "0").directory(dir().toFile()),
                Duration.ofSeconds(30));
    }

    /**
     * Starts a long-running process that prints {@code READY http://127.0.0.1:PORT} when it
     * accepts connections, and waits for that line.
     */
    static ReadyProcess startServer(ProcessBuilder builder, Duration timeout) {
        Process process;
        try {
            process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + builder.command() + ": " + e.getMessage(), e);
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        }, OWN_THREAD);
        String line;
        try {
            line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException(builder.command() + " printed no READY line within " + timeout, e);
        }
        if (line == null || !line.matches("READY https?://127\\.0\\.0\\.1:\\d+")) {
            process.destroyForcibly();
            throw new IllegalStateException(builder.command() + " printed '" + line + "' instead of READY http://127.0.0.1:PORT");
        }
        int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
        // Keep draining stdout so that the child never blocks on a full pipe.
        CompletableFuture.runAsync(() -> {
            try {
                while (reader.readLine() != null) {
                    // discard
                }
            } catch (IOException e) {
                // the process ended
            }
        }, OWN_THREAD);
        return new ReadyProcess(process, line, port);
    }

    /** A started server process. Closing it sends SIGTERM and waits, then kills it if needed. */
    record ReadyProcess(Process process, String readyLine, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
