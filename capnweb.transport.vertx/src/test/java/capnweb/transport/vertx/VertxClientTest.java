package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageTransport;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client side: WebSocket and HTTP batch sessions against this transport's own server. */
@Timeout(30)
class VertxClientTest {
    private final FakeEngine serverEngine = new FakeEngine();
    private final FakeEngine clientEngine = new FakeEngine();
    private final VertxTransportProvider provider = new VertxTransportProvider();
    private RpcServer server;

    @BeforeEach
    void start() {
        clientEngine.echo = false;
        server = provider.serve(ServerOptions.builder(() -> "server-main").build(), serverEngine);
    }

    @AfterEach
    void stop() {
        // Every client session ends, so that each test finds the shared client instance unused.
        clientEngine.sessions.forEach(FakeEngine.FakeSession::close);
        server.close(Duration.ofSeconds(5));
    }

    private URI ws() {
        return URI.create(server.uri().toString().replaceFirst("^http", "ws"));
    }

    private RpcSession connect(URI uri, ClientOptions options) throws Exception {
        return provider.connect(uri, options, clientEngine).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The server's session, made on a worker thread once the socket is open. */
    private FakeEngine.FakeSession serverSession() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (serverEngine.sessions.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(serverEngine.sessions).as("server sessions").isNotEmpty();
        return serverEngine.sessions.get(0);
    }

    @Test
    void aWebSocketSessionCarriesMessagesBothWaysInOrder() throws Exception {
        RpcSession session = connect(ws(), ClientOptions.builder().localMain("client-main").build());
        FakeEngine.FakeSession client = clientEngine.sessions.get(0);
        assertThat(client.main).isEqualTo("client-main");
        for (int i = 0; i < 100; i++) {
            client.transport.send("m" + i);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(client.received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:m" + i);
        }
        assertThat(client.transport.queuedBytes()).isZero();
        assertThat(clientEngine.engineThreads).noneMatch(t -> t.contains("eventloop"));
        session.close();
        assertThat(client.ended.get(5, TimeUnit.SECONDS)).hasMessageContaining("1000");
        VertxServerTest.awaitOpenSessions(server, 0);
    }

    @Test
    void theConnectStageCompletesOffTheEventLoop() throws Exception {
        String thread = provider.connect(ws(), ClientOptions.defaults(), clientEngine)
                .thenApply(s -> {
                    s.close();
                    return Thread.currentThread().getName();
                })
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(thread).doesNotContain("eventloop");
    }

    @Test
    void connectsAndBatchesCompleteWhileTheCommonPoolIsBusy() throws Exception {
        // An application may fill the common ForkJoinPool with work that blocks (on 2 cores it
        // has one thread); the transport must not need it to complete what it was asked.
        int workers = ForkJoinPool.getCommonPoolParallelism();
        CountDownLatch started = new CountDownLatch(workers);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < workers; i++) {
            ForkJoinPool.commonPool().execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).as("every common-pool thread is busy").isTrue();
            RpcSession webSocket = connect(ws(), ClientOptions.defaults());
            assertThat(webSocket.isOpen()).isTrue();
            RpcSession batch = connect(server.uri(), ClientOptions.defaults());
            HttpBatchPoster poster = clientEngine.posters.poll(5, TimeUnit.SECONDS);
            assertThat(poster.post("[\"pull\",1]").toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo("batch:[\"pull\",1]:server-main");
            batch.close();
            webSocket.close();
        } finally {
            release.countDown();
        }
    }

    @Test
    void queuedBytesCountsWhatIsNotYetWritten() throws Exception {
        connect(ws(), ClientOptions.defaults());
        MessageTransport transport = clientEngine.sessions.get(0).transport;
        String big = "\u00e9".repeat(500_000);
        for (int i = 0; i < 20; i++) {
            transport.send(big);
        }
        assertThat(transport.queuedBytes()).isPositive().isLessThanOrEqualTo(20L * 1_000_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (transport.queuedBytes() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(transport.queuedBytes()).isZero();
        FakeEngine.FakeSession serverSide = serverSession();
        for (int i = 0; i < 20; i++) {
            assertThat(serverSide.received.poll(10, TimeUnit.SECONDS)).hasSize(500_000);
        }
    }

    @Test
    void theServerDroppingTheSocketEndsTheClientSessionWithTheCode() throws Exception {
        connect(ws(), ClientOptions.defaults());
        FakeEngine.FakeSession client = clientEngine.sessions.get(0);
        client.transport.send("hello");
        serverSession().received.poll(5, TimeUnit.SECONDS);
        serverSession().transport.abort(new IllegalStateException("server gave up"));
        assertThat(client.ended.get(5, TimeUnit.SECONDS)).hasMessageContaining("3000")
                .hasMessageContaining("server gave up");
    }

    @Test
    void aRefusedUpgradeFailsNamingTheStatus() {
        URI wrongPath = ws().resolve("/nowhere");
        assertThatThrownBy(() -> connect(wrongPath, ClientOptions.defaults()))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("404");
    }

    @Test
    void nothingListeningFailsTheConnectStage() throws Exception {
        int port = server.port();
        server.close(Duration.ofSeconds(5));
        assertThatThrownBy(() -> connect(URI.create("ws://127.0.0.1:" + port + "/rpc"), ClientOptions.defaults()))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void anUnknownSchemeIsRefused() {
        assertThatThrownBy(() -> connect(URI.create("ftp://127.0.0.1/rpc"), ClientOptions.defaults()))
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws:");
    }

    @Test
    void theBatchPosterPostsAndReturnsTheResponseBody() throws Exception {
        RpcSession session = connect(server.uri(), ClientOptions.builder().header("X-Test", "1").build());
        HttpBatchPoster poster = clientEngine.posters.poll(5, TimeUnit.SECONDS);
        String thread = Thread.currentThread().getName();
        CompletableFuture<String> reply = poster.post("[\"push\",1]\n[\"pull\",1]").toCompletableFuture();
        assertThat(reply.get(10, TimeUnit.SECONDS))
                .isEqualTo("batch:[\"push\",1]:server-main\nbatch:[\"pull\",1]:server-main");
        assertThat(reply.thenApply(x -> Thread.currentThread().getName()).get()).doesNotContain("eventloop");
        assertThat(thread).isNotNull();
        session.close();
    }

    @Test
    void batchSessionsOneAfterAnotherShareOneKeptAliveConnection() throws Exception {
        try (capnweb.transport.testkit.TcpProxy proxy = capnweb.transport.testkit.TcpProxy.to(server.port())) {
            URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port() + "/rpc");
            for (int i = 0; i < 5; i++) {
                RpcSession session = connect(viaProxy, ClientOptions.defaults());
                HttpBatchPoster poster = clientEngine.posters.poll(5, TimeUnit.SECONDS);
                assertThat(poster.post("[\"pull\"," + i + "]").toCompletableFuture().get(10, TimeUnit.SECONDS))
                        .isEqualTo("batch:[\"pull\"," + i + "]:server-main");
                session.close();
            }
            assertThat(proxy.connectionsAccepted()).isEqualTo(1);
        }
    }

    /** The sockets of earlier tests' sessions close asynchronously; their clients leave then. */
    private static void awaitNoSharedClients() throws InterruptedException {
        long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (VertxLease.sharedUsers() != 0 && System.nanoTime() < quiet) {
            Thread.sleep(10);
        }
        assertThat(VertxLease.sharedUsers()).as("clients of earlier tests").isZero();
    }

    @Test
    void theSharedVertxOutlivesItsLastClientBrieflyAndThenCloses() throws Exception {
        awaitNoSharedClients();
        VertxLease first = VertxLease.forClient();
        io.vertx.core.Vertx instance = first.vertx();
        first.release();
        VertxLease second = VertxLease.forClient();
        assertThat(second.vertx()).as("a client arriving within the grace period").isSameAs(instance);
        second.release();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(VertxLease.SHARED_GRACE_MILLIS + 5_000);
        while (VertxLease.sharedInstance() == instance && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(VertxLease.sharedInstance()).as("after the grace period").isNotSameAs(instance);
    }

    @Test
    void theBatchPosterFailsNamingTheStatusWhenNot200() throws Exception {
        RpcSession session = connect(server.uri().resolve("/elsewhere"), ClientOptions.defaults());
        HttpBatchPoster poster = clientEngine.posters.poll(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> poster.post("x").toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("404");
        session.close();
    }

    @Test
    void theSharedClientVertxRunsOnDaemonThreadsSoAForgottenClientCannotHoldTheJvm() throws Exception {
        VertxLease lease = VertxLease.forClient();
        try {
            CompletableFuture<Boolean> daemon = new CompletableFuture<>();
            lease.vertx().runOnContext(v -> daemon.complete(Thread.currentThread().isDaemon()));
            assertThat(daemon.get(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            lease.release();
        }
    }

    @Test
    void theSharedVertxClosesWithTheLastClient() throws Exception {
        awaitNoSharedClients();
        int before = VertxLease.sharedUsers();
        RpcSession a = connect(ws(), ClientOptions.defaults());
        RpcSession b = connect(ws(), ClientOptions.defaults());
        assertThat(VertxLease.sharedUsers()).isEqualTo(before + 2);
        a.close();
        b.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (VertxLease.sharedUsers() != before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(VertxLease.sharedUsers()).isEqualTo(before);
    }
}
