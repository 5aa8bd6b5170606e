package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportProvider;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * What the hardening, load and leak suites share: the transport under test, servers on
 * 127.0.0.1 port 0 serving {@link HardeningTargets.Main}, and cleanup after each test. A
 * transport runs a suite by extending it and returning its provider from {@link #provider()}.
 */
public abstract class HardeningSupport {
    /** How long a test waits for something that should happen promptly. */
    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** Closed after each test, last first. */
    protected final Closer resources = new Closer();
    /** What the current test's server targets observed. */
    protected final HardeningTargets.State state = new HardeningTargets.State();

    /** @return the transport under test */
    protected abstract TransportProvider provider();

    /** @return the engine the sessions run on */
    protected RpcEngine engine() {
        return ProviderRegistry.load().engine();
    }

    @AfterEach
    void closeHardeningResources() {
        state.unblock.countDown();
        resources.closeAll();
    }

    /**
     * Starts a server of the transport under test on 127.0.0.1, port 0, closed after the test.
     *
     * @param customizer adjusts the options
     * @return the running server
     */
    protected RpcServer startServer(UnaryOperator<ServerOptions.Builder> customizer) {
        ServerOptions options = customizer.apply(ServerOptions.builder(() -> new HardeningTargets.Main(state))
                .host("127.0.0.1").port(0)).build();
        RpcServer server = provider().serve(options, engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        return server;
    }

    /**
     * Connects with the transport under test; the session is closed after the test.
     *
     * @param uri the endpoint
     * @param options the client options
     * @return the open session
     */
    protected RpcSession connect(URI uri, ClientOptions options) {
        RpcSession session = provider().connect(uri, options, engine()).toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS).join();
        resources.add(session);
        return session;
    }

    /**
     * @param server a running server
     * @return its WebSocket endpoint
     */
    protected static URI webSocketUri(RpcServer server) {
        return URI.create(server.uri().toString().replaceFirst("^http", "ws"));
    }

    /**
     * @param port a port on 127.0.0.1, e.g. a {@link TcpProxy}'s
     * @param server the server whose path to use
     * @return the WebSocket endpoint at that port
     */
    protected static URI webSocketUri(int port, RpcServer server) {
        return URI.create("ws://127.0.0.1:" + port + server.uri().getRawPath());
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait
     * @param condition the condition
     */
    protected static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + timeout + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
        }
    }

    /**
     * Asserts that a new WebSocket session on {@code server} works.
     *
     * @param server the server
     */
    protected void assertNewSessionWorks(RpcServer server) {
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        try (var main = session.main()) {
            assertThat(main.call("add", 40, 2).join(WAIT)).isEqualTo(42L);
        }
        session.close();
    }

    /**
     * Asserts that {@code text} carries no Java stack trace.
     *
     * @param text a frame or body
     */
    protected static void assertNoStackTrace(String text) {
        assertThat(text).doesNotContainPattern("\\bat [\\w$.]+\\([\\w$]+\\.java:\\d+\\)")
                .doesNotContain("\tat ").doesNotContain("capnweb.transport.testkit.HardeningTargets");
    }

    /**
     * Forces a full collection (as far as the JVM lets a test) and reports the heap in use.
     *
     * @return the bytes in use after collection
     */
    protected static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
