package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which threads run an HTTP batch session, with the real engine: the thread that serves the
 * request (the engine runs a batch on it), the application's executor when it set one, the
 * thread that read the request with {@code directExecutor()}, and whichever thread completes a
 * result that settles later.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class TransportBatchThreadingTest {
    private static final String CALL = "[\"push\",[\"pipeline\",0,[\"whereAmI\"],[]]]\n[\"pull\",1]";

    private final ExecutorService appThreads = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-pool"));
    private RpcServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close(Duration.ofSeconds(5));
        }
        appThreads.shutdownNow();
    }

    /** Answers with the name of the thread that called it. */
    public static final class Where implements RpcTarget {
        public String whereAmI() {
            return Thread.currentThread().getName();
        }
    }

    /** Answers later, from a thread of its own. */
    public final class Later implements RpcTarget {
        public CompletionStage<String> whereAmI() {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "late";
            }, appThreads);
        }
    }

    /** @return the transport under test */
    protected abstract TransportProvider provider();

    /** @return how the names of the threads that serve batch requests begin */
    protected abstract String servingThreadPrefix();

    /**
     * @return how the names of the threads that serve batch requests begin when the session
     *     options say {@code directExecutor()}: the thread that read the request, an event loop
     *     included
     */
    protected abstract String directServingThreadPrefix();

    private RpcServer serve(ServerOptions.Builder options) {
        server = provider().serve(options.build(), ProviderRegistry.load().engine());
        return server;
    }

    @Test
    void batchRunsOnTheThreadThatServesTheRequest() {
        RpcServer s = serve(ServerOptions.builder(Where::new));
        RawHttp.Response r = RawHttp.post(s.uri(), CALL);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("[\"resolve\",1,\"" + servingThreadPrefix());
    }

    @Test
    void batchRunsOnTheApplicationsExecutorWhenOneIsSet() {
        ExecutorService own = Executors.newSingleThreadExecutor(r -> new Thread(r, "own-executor"));
        try {
            RpcServer s = serve(ServerOptions.builder(Where::new)
                    .sessionOptions(SessionOptions.builder().executor(own).build()));
            RawHttp.Response r = RawHttp.post(s.uri(), CALL);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[\"resolve\",1,\"own-executor\"]");
        } finally {
            own.shutdownNow();
        }
    }

    @Test
    void batchWithDirectExecutorRunsOnTheThreadThatReadTheRequest() {
        RpcServer s = serve(ServerOptions.builder(Where::new)
                .sessionOptions(SessionOptions.builder().directExecutor().build()));
        for (int i = 0; i < 3; i++) {
            RawHttp.Response r = RawHttp.post(s.uri(), CALL);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("[\"resolve\",1,\"" + directServingThreadPrefix());
        }
    }

    @Test
    void batchWhoseResultSettlesOnAnotherThreadIsAnsweredWhenItDoes() {
        RpcServer s = serve(ServerOptions.builder(Later::new));
        for (int i = 0; i < 3; i++) {
            RawHttp.Response r = RawHttp.post(s.uri(), CALL);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[\"resolve\",1,\"late\"]");
        }
    }
}
