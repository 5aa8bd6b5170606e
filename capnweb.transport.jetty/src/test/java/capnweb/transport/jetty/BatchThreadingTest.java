package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.transport.testkit.RawHttp;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which threads run an HTTP batch session over Jetty, with the real engine. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BatchThreadingTest {
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

    private RpcServer serve(ServerOptions.Builder options) {
        server = new JettyTransportProvider().serve(options.build(), ProviderRegistry.load().engine());
        return server;
    }

    @Test
    void batchRunsOnTheRequestThreadOfJettysPool() {
        RpcServer s = serve(ServerOptions.builder(Where::new));
        RawHttp.Response r = RawHttp.post(s.uri(), CALL);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("[\"resolve\",1,\"capnweb-jetty-server");
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
    void batchWhoseResultSettlesOnAnotherThreadIsAnsweredWhenItDoes() {
        RpcServer s = serve(ServerOptions.builder(Later::new));
        for (int i = 0; i < 3; i++) {
            RawHttp.Response r = RawHttp.post(s.uri(), CALL);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[\"resolve\",1,\"late\"]");
        }
    }
}
