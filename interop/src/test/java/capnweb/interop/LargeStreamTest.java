package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcReadableStream;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStreams;
import capnweb.api.RpcStub;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 100 MiB crossing a loopback WebSocket in each direction, between a Java client and a Java
 * server in this JVM, with the heap (measured after collections while the data flows) staying
 * far below the size of the stream: flow control keeps both sides bounded.
 */
class LargeStreamTest {
    private static final long TOTAL = 100L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    /** Live data allowed beyond the baseline; a buffered stream would need more than 100 MiB. */
    private static final long HEAP_BOUND = 32L * 1024 * 1024;

    /** Samples the heap after a full collection, a few times a second, keeping the maximum. */
    static final class HeapWatch implements AutoCloseable {
        private final Runtime runtime = Runtime.getRuntime();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong max = new AtomicLong();
        private final long baseline;
        private final Thread thread;

        HeapWatch() {
            baseline = usedAfterGc();
            thread = new Thread(() -> {
                while (running.get()) {
                    max.accumulateAndGet(usedAfterGc(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-watch");
            thread.setDaemon(true);
            thread.start();
        }

        private long usedAfterGc() {
            System.gc();
            return runtime.totalMemory() - runtime.freeMemory();
        }

        long growth() {
            return max.get() - baseline;
        }

        @Override
        public void close() {
            running.set(false);
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RpcStub connect(RpcServer server, String transport, java.util.List<RpcSession> sessions) {
        RpcSession session = CapnWeb.connect(URI.create("ws://127.0.0.1:" + server.port() + "/rpc"),
                ClientOptions.builder().transport(transport).build());
        sessions.add(session);
        return session.main();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "vertx"})
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void hundredMegabytesCrossEachWayInBoundedMemory(String transport) throws Exception {
        RpcServer server = TestServer.start(0, transport);
        java.util.List<RpcSession> sessions = new java.util.ArrayList<>();
        try {
            RpcStub api = connect(server, transport, sessions);
            byte[] chunk = new byte[CHUNK];
            AtomicLong produced = new AtomicLong();

            long uploadGrowth;
            try (HeapWatch watch = new HeapWatch()) {
                Object counted = api.call("countBytes", RpcStreams.publisherOf(() -> new Iterator<Object>() {
                    @Override
                    public boolean hasNext() {
                        return produced.get() < TOTAL;
                    }

                    @Override
                    public Object next() {
                        produced.addAndGet(CHUNK);
                        return chunk;
                    }
                })).join(Duration.ofMinutes(2));
                assertThat(counted).isEqualTo(TOTAL);
                uploadGrowth = watch.growth();
            }
            assertThat(uploadGrowth).as("heap growth during the upload (bytes)").isLessThan(HEAP_BOUND);

            long downloadGrowth;
            long read = 0;
            try (HeapWatch watch = new HeapWatch()) {
                RpcReadableStream stream = (RpcReadableStream) api.call("streamBytes", (double) TOTAL, CHUNK)
                        .join(Duration.ofSeconds(20));
                try (InputStream in = stream.asInputStream()) {
                    byte[] buffer = new byte[CHUNK];
                    for (int r; (r = in.read(buffer)) != -1;) {
                        read += r;
                    }
                }
                downloadGrowth = watch.growth();
            }
            assertThat(read).isEqualTo(TOTAL);
            assertThat(downloadGrowth).as("heap growth during the download (bytes)").isLessThan(HEAP_BOUND);
        } finally {
            for (RpcSession s : sessions) {
                s.close();
            }
            server.close();
        }
    }

    /** Peak resident memory of a process in bytes (Linux), or -1 where /proc does not say. */
    private static long peakRss(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @org.junit.jupiter.api.Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void hundredMegabytesCrossEachWayWithTheReferenceServer() throws Exception {
        try (Node.ReadyProcess node = Node.startReferenceServer()) {
            long nodeBefore = peakRss(node.process().pid());
            RpcSession session = CapnWeb.connect(URI.create("ws://127.0.0.1:" + node.port() + "/rpc"),
                    ClientOptions.builder().transport("jetty").build());
            try {
                RpcStub api = session.main();
                byte[] chunk = new byte[CHUNK];
                AtomicLong produced = new AtomicLong();
                long growth;
                long read = 0;
                try (HeapWatch watch = new HeapWatch()) {
                    Object counted = api.call("countBytes", RpcStreams.publisherOf(() -> new Iterator<Object>() {
                        @Override
                        public boolean hasNext() {
                            return produced.get() < TOTAL;
                        }

                        @Override
                        public Object next() {
                            produced.addAndGet(CHUNK);
                            return chunk;
                        }
                    })).join(Duration.ofMinutes(2));
                    assertThat(counted).isEqualTo(TOTAL);
                    RpcReadableStream stream = (RpcReadableStream) api.call("streamBytes", (double) TOTAL, CHUNK)
                            .join(Duration.ofSeconds(20));
                    try (InputStream in = stream.asInputStream()) {
                        byte[] buffer = new byte[CHUNK];
                        for (int r; (r = in.read(buffer)) != -1;) {
                            read += r;
                        }
                    }
                    growth = watch.growth();
                }
                assertThat(read).isEqualTo(TOTAL);
                assertThat(growth).as("Java heap growth while 2 x 100 MiB crossed (bytes)").isLessThan(HEAP_BOUND);
                long nodePeak = peakRss(node.process().pid());
                if (nodeBefore > 0 && nodePeak > 0) {
                    // Buffering either stream would take the reference server past 100 MiB more.
                    assertThat(nodePeak - nodeBefore).as("reference server's peak RSS growth (bytes)")
                            .isLessThan(96L * 1024 * 1024);
                }
            } finally {
                session.close();
            }
        }
    }
}
