package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SessionOptions.directExecutor()} over a real transport, on both ends: target methods and
 * promise callbacks run on the transport's own threads, never the engine's pools, and the session
 * still refuses bad input.
 *
 * <p>Using it: {@code class XTransportDirectExecutorTest extends TransportDirectExecutorTest}
 * returning the provider.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportDirectExecutorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final SessionOptions DIRECT = SessionOptions.builder().directExecutor().build();

    private final Closer resources = new Closer();

    /** @return the transport under test */
    protected abstract TransportProvider provider();

    /**
     * @return how the names of the threads on which the transport's HTTP client reads a batch
     *     response begin
     */
    protected abstract String batchResponseThreadPrefix();

    /** The server's main object: says which thread runs it. */
    public static final class Where implements RpcTarget {
        /** Makes one for a session. */
        public Where() {
        }

        /** @return the name of the thread the call runs on */
        public String thread() {
            return Thread.currentThread().getName();
        }

        /**
         * @param n a number
         * @return {@code n + 1}
         */
        public long next(long n) {
            return n + 1;
        }
    }

    /** A main object whose answer to {@code nextWhenReleased} waits until the test releases it. */
    public static final class Gated implements RpcTarget {
        private final CompletionStage<?> released;

        Gated(CompletionStage<?> released) {
            this.released = released;
        }

        /**
         * @param n a number
         * @return {@code n + 1}, once released
         */
        public CompletionStage<Long> nextWhenReleased(long n) {
            return released.thenApply(x -> n + 1);
        }
    }

    @AfterEach
    void closeEverything() {
        resources.closeAll();
    }

    private RpcServer startServer() {
        return startServer(DIRECT);
    }

    private RpcServer startServer(SessionOptions options) {
        return startServer(Where::new, options);
    }

    private RpcServer startServer(java.util.function.Supplier<?> main, SessionOptions options) {
        RpcServer server = provider().serve(ServerOptions.builder(main).host("127.0.0.1").port(0)
                .sessionOptions(options).build(), ProviderRegistry.load().engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        return server;
    }

    private RpcStub connectDirect(RpcServer server) {
        return connect(server, DIRECT);
    }

    private RpcStub connect(RpcServer server, SessionOptions options) {
        URI uri = URI.create(server.uri().toString().replaceFirst("^http", "ws"));
        RpcSession session = provider().connect(uri, ClientOptions.builder().sessionOptions(options).build(),
                ProviderRegistry.load().engine()).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        resources.add(session);
        RpcStub main = session.main();
        resources.add(main);
        return main;
    }

    @Test
    void targetMethodsRunOnTheTransportsThreadNotTheEnginesPool() {
        RpcStub main = connectDirect(startServer());
        String thread = (String) main.call("thread").join(WAIT);
        assertThat(thread).doesNotStartWith("capnweb-engine-").doesNotStartWith("capnweb-delivery-");
    }

    @Test
    void aChainOfCallsMadeFromCallbacksRunsWithoutTheEnginesPools() throws Exception {
        RpcStub main = connectDirect(startServer());
        Set<String> callbackThreads = ConcurrentHashMap.newKeySet();
        CompletableFuture<Long> done = new CompletableFuture<>();
        // Each callback makes the next call; 256 chains run at once.
        int chains = 256;
        int steps = 20;
        java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();
        for (int c = 0; c < chains; c++) {
            step(main, 0, steps, callbackThreads, () -> {
                if (finished.incrementAndGet() == chains) {
                    done.complete(finished.get());
                }
            }, done);
        }
        assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(chains);
        assertThat(callbackThreads).isNotEmpty()
                .noneMatch(t -> t.startsWith("capnweb-engine-") || t.startsWith("capnweb-delivery-"));
    }

    @Test
    void withoutItACallbackRunsOnAnEngineThreadAndMayAwaitAnotherCallOfItsSession() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        RpcStub main = connect(startServer(() -> new Gated(release), SessionOptions.defaults()),
                SessionOptions.defaults());
        CompletableFuture<String> thread = new CompletableFuture<>();
        CompletableFuture<Object> awaited = new CompletableFuture<>();
        // The answer comes only once the callback is registered: an answer already there would
        // run the callback at once on this thread, as CompletableFuture does.
        main.call("nextWhenReleased", 1).thenAccept(v -> {
            thread.complete(Thread.currentThread().getName());
            // Blocking here must not hold up the reading of the answer it waits for.
            awaited.complete(main.call("nextWhenReleased", v).join(WAIT));
        }).exceptionally(e -> {
            awaited.completeExceptionally(e);
            return null;
        });
        release.complete(null);
        assertThat(awaited.get(20, TimeUnit.SECONDS)).isEqualTo(3L);
        assertThat(thread.get()).matches("capnweb-(engine|delivery)-.*");
    }

    private RpcSession connectBatch(RpcServer server, SessionOptions options) {
        RpcSession session = provider().connect(server.uri(), ClientOptions.builder().sessionOptions(options).build(),
                ProviderRegistry.load().engine()).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        resources.add(session);
        return session;
    }

    @Test
    void aBatchClientsCallbacksRunOnTheThreadThatReadTheResponse() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        RpcSession session = connectBatch(startServer(() -> new Gated(release), DIRECT), DIRECT);
        RpcStub main = session.main();
        resources.add(main);
        CompletableFuture<String> thread = new CompletableFuture<>();
        main.call("nextWhenReleased", 1).thenAccept(v -> thread.complete(Thread.currentThread().getName()));
        session.sendBatch();
        // Released only once sendBatch() has returned: a response that came back before its
        // callbacks were attached would run them on this thread, as CompletableFuture does.
        release.complete(null);
        assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith(batchResponseThreadPrefix());
    }

    @Test
    void withoutItABatchClientsCallbackRunsOnAnEngineThreadAndMayAwaitAnotherBatch() throws Exception {
        RpcServer server = startServer(SessionOptions.defaults());
        RpcSession first = connectBatch(server, SessionOptions.defaults());
        RpcStub main = first.main();
        resources.add(main);
        CompletableFuture<String> thread = new CompletableFuture<>();
        CompletableFuture<Object> awaited = new CompletableFuture<>();
        main.call("next", 1).thenAccept(v -> {
            thread.complete(Thread.currentThread().getName());
            // Blocking here must not hold up the reading of the other batch's response.
            RpcSession second = connectBatch(server, SessionOptions.defaults());
            try (RpcStub other = second.main()) {
                awaited.complete(other.call("next", v).join(WAIT));
            }
        }).exceptionally(e -> {
            awaited.completeExceptionally(e);
            return null;
        });
        first.sendBatch();
        assertThat(awaited.get(20, TimeUnit.SECONDS)).isEqualTo(3L);
        assertThat(thread.get()).matches("capnweb-(engine|delivery)-.*");
    }

    private static void step(RpcStub main, long n, int steps, Set<String> threads, Runnable finished,
            CompletableFuture<Long> failure) {
        main.call("next", n).whenComplete((v, e) -> {
            threads.add(Thread.currentThread().getName());
            if (e != null) {
                failure.completeExceptionally(e);
            } else if (((Number) v).longValue() == steps) {
                finished.run();
            } else {
                step(main, ((Number) v).longValue(), steps, threads, finished, failure);
            }
        });
    }

    @Test
    void badInputAbortsOnlyItsOwnSession() {
        RpcServer server = startServer();
        try (RawWebSocket raw = RawWebSocket.open(URI.create(server.uri().toString().replaceFirst("^http", "ws")))) {
            raw.send("not json at all");
            assertThat(raw.nextText(WAIT)).startsWith("[\"abort\",").contains("JSON");
        }
        RpcStub main = connectDirect(server);
        assertThat(main.call("next", 41).join(WAIT)).isEqualTo(42L);
    }
}
