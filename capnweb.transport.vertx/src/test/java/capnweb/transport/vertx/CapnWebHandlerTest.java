package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRefusedException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cap'n Web mounted into an application's own Vert.x HTTP server, beside its other routes. */
@Timeout(30)
class CapnWebHandlerTest {
    private Vertx vertx;
    private HttpClientAgent http;
    private final FakeEngine engine = new FakeEngine();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        // A connection per request: the test is about the server, not about connection reuse.
        http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String post(int port, String path, String body) throws Exception {
        // Issued on a Vert.x context, as VertxClients issues batches: from a plain thread the
        // callbacks ran on another event loop, and a small response could end before body() was
        // registered, reading as empty.
        Promise<String> answer = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> http.request(HttpMethod.POST, port, "127.0.0.1", path)
                .compose(r -> r.send(body))
                .compose(r -> r.body().map(b -> r.statusCode() + " " + b))
                .onComplete(answer));
        return await(answer.future());
    }

    @Test
    void theRequestHandlerServesBothEndpointsBesideTheApplicationsRoutes() throws Exception {
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builder(() -> "embedded").build(), engine);
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> {
                    if (req.path().equals("/capnweb")) {
                        capnweb.handle(req);
                    } else {
                        req.response().end("app");
                    }
                })
                .listen());
        int port = server.actualPort();
        assertThat(post(port, "/other", "x")).isEqualTo("200 app");
        assertThat(post(port, "/capnweb", "a")).isEqualTo("200 batch:a:embedded");

        try (RawSocket ws = RawSocket.open(vertx, URI.create("http://127.0.0.1:" + port + "/capnweb"))) {
            ws.socket.writeTextMessage("hi");
            assertThat(ws.next()).isEqualTo("echo:hi");
            assertThat(capnweb.openSessions()).isEqualTo(1);
            capnweb.close().get(5, TimeUnit.SECONDS);
            assertThat(ws.awaitClose()).isEqualTo((short) 1000);
        }
        assertThat(capnweb.openSessions()).isZero();
        assertThat(post(port, "/other", "x")).as("the application's server keeps running").isEqualTo("200 app");
    }

    /** The README's recipe for using every event loop: server instances sharing one handler. */
    @Test
    void oneHandlerServesServerInstancesOnEveryEventLoop() throws Exception {
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builder(() -> "shared").build(), engine);
        int instances = 2;
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        await(vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                return vertx.createHttpServer().requestHandler(capnweb).listen(port, "127.0.0.1");
            }
        }, new DeploymentOptions().setInstances(instances)));

        List<RawSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * instances; i++) {
                RawSocket ws = RawSocket.open(vertx, URI.create("http://127.0.0.1:" + port + "/rpc"));
                sockets.add(ws);
                // A first message may reach the session on the thread that starts it; the second
                // comes from the socket's event loop.
                for (String message : List.of("first", "second")) {
                    ws.socket.writeTextMessage(message);
                    assertThat(ws.next()).isEqualTo("echo:" + message);
                }
            }
            Set<String> loops = new HashSet<>();
            engine.sessions.forEach(session -> session.messageThreads.stream()
                    .filter(t -> t.startsWith("vert.x-eventloop-thread-")).forEach(loops::add));
            assertThat(loops).hasSize(instances);
            assertThat(capnweb.openSessions()).isEqualTo(2 * instances);
        } finally {
            for (RawSocket ws : sockets) {
                ws.close();
            }
        }
    }

    @Test
    void theHandlerRunsTheDiscoveredEngineAndServesRealClients() throws Exception {
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builder(Greeter::new).build());
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(capnweb)
                .listen());
        String base = "127.0.0.1:" + server.actualPort() + "/rpc";
        for (String uri : java.util.List.of("ws://" + base, "http://" + base)) {
            try (RpcSession session = CapnWebVertx.connect(vertx, URI.create(uri), ClientOptions.defaults())
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                 RpcStub main = session.main()) {
                assertThat(main.call("greet", "handler").join(java.time.Duration.ofSeconds(10)))
                        .as(uri).isEqualTo("Hello, handler!");
            }
        }
        assertThat(await(vertx.executeBlocking(() -> "still running"))).as("the application's Vertx").isEqualTo("still running");
    }

    @Test
    void aRequestAnEarlierHandlerPausedIsServedAllTheSame() throws Exception {
        // As a router's asynchronous step does (an authentication check, say): the request is
        // paused while it waits, and handed on paused.
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builder(Greeter::new).build());
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    request.pause();
                    vertx.setTimer(20, t -> capnweb.handle(request));
                })
                .listen());
        String base = "127.0.0.1:" + server.actualPort() + "/rpc";
        for (String uri : List.of("ws://" + base, "http://" + base)) {
            try (RpcSession session = CapnWebVertx.connect(vertx, URI.create(uri), ClientOptions.defaults())
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                 RpcStub main = session.main()) {
                assertThat(main.call("greet", "later").join(java.time.Duration.ofSeconds(10)))
                        .as(uri).isEqualTo("Hello, later!");
            }
        }
    }

    @Test
    void theWebSocketAndBatchHandlersServeOneKindEach() throws Exception {
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builder(() -> "split").build(), engine);
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(capnweb.webSocketHandler())
                .requestHandler(capnweb.batchHandler())
                .listen());
        int port = server.actualPort();
        assertThat(post(port, "/any", "b")).isEqualTo("200 batch:b:split");
        try (RawSocket ws = RawSocket.open(vertx, URI.create("http://127.0.0.1:" + port + "/any"))) {
            ws.socket.writeTextMessage("w");
            assertThat(ws.next()).isEqualTo("echo:w");
        }
    }

    @Test
    void anInterceptorSeesTheRequestOfASocketVertxUpgradedAndOfABatch() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        SessionOptions options = SessionOptions.builder().interceptor(call -> {
            seen.add(call.session().request()
                    .map(r -> (r.isWebSocket() ? "websocket " : "batch ") + r.queryParameter("user").orElse("(none)"))
                    .orElse("no request"));
            return call.proceed();
        }).build();
        CapnWebHandler capnweb = CapnWebVertx.handler(
                ServerOptions.builder(Greeter::new).sessionOptions(options).build());
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(capnweb.webSocketHandler())
                .requestHandler(capnweb.batchHandler())
                .listen());
        String base = "127.0.0.1:" + server.actualPort() + "/any";
        for (String uri : List.of("ws://" + base + "?user=alice", "http://" + base + "?user=bob")) {
            try (RpcSession session = CapnWebVertx.connect(vertx, URI.create(uri), ClientOptions.defaults())
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                 RpcStub main = session.main()) {
                assertThat(main.call("greet", "you").join(java.time.Duration.ofSeconds(10))).isEqualTo("Hello, you!");
            }
        }
        assertThat(seen).containsExactly("websocket alice", "batch bob");
    }

    @Test
    void aSocketUpgradedBeforeTheFactoryRefusesItIsClosedWithTheSentence() throws Exception {
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builderWithRequest(request -> {
            String user = request.queryParameter("user")
                    .orElseThrow(() -> new SessionRefusedException(403, "Say who you are with ?user=."));
            if (user.equals("crash")) {
                throw new IllegalStateException("internal detail");
            }
            return "user " + user + " from " + request.uri().getScheme();
        }).build(), engine);
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(capnweb.webSocketHandler())
                .requestHandler(capnweb.batchHandler())
                .listen());
        URI base = URI.create("http://127.0.0.1:" + server.actualPort() + "/any");

        try (RawSocket refused = RawSocket.open(vertx, base)) {
            assertThat(refused.next()).startsWith("[\"abort\"").contains("Say who you are with ?user=.");
            assertThat(refused.awaitClose()).isEqualTo((short) 1008);
            assertThat(refused.socket.closeReason()).isEqualTo("Say who you are with ?user=.");
        }
        try (RawSocket failed = RawSocket.open(vertx, URI.create(base + "?user=crash"))) {
            assertThat(failed.next()).startsWith("[\"abort\"").doesNotContain("internal detail");
            assertThat(failed.awaitClose()).isEqualTo(WebSocketTransport.INTERNAL_ERROR);
        }
        try (RawSocket alice = RawSocket.open(vertx, URI.create(base + "?user=alice"))) {
            alice.socket.writeTextMessage("w");
            assertThat(alice.next()).isEqualTo("echo:w");
        }
        assertThat(engine.sessions).hasSize(1);
        assertThat(post(server.actualPort(), "/any?user=bob", "b")).isEqualTo("200 batch:b:user bob from http");
        assertThat(post(server.actualPort(), "/any", "b")).isEqualTo("403 Say who you are with ?user=.");
    }

    @Test
    void aSocketUpgradedBeforeAnAsynchronousFactoryAnswersWaitsForItsStage() throws Exception {
        CompletableFuture<Object> alicesMain = new CompletableFuture<>();
        CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builderWithRequestAsync(request -> {
            switch (request.queryParameter("user").orElse("")) {
                case "alice":
                    return alicesMain;
                case "crash":
                    return CompletableFuture.failedFuture(new IllegalStateException("internal detail"));
                case "slow":
                    return new CompletableFuture<>();
                default:
                    return CompletableFuture.failedFuture(new SessionRefusedException(403, "Say who you are with ?user=."));
            }
        }).factoryTimeout(java.time.Duration.ofMillis(200)).build(), engine);
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(capnweb.webSocketHandler())
                .listen());
        URI base = URI.create("http://127.0.0.1:" + server.actualPort() + "/any");

        try (RawSocket refused = RawSocket.open(vertx, base)) {
            assertThat(refused.next()).startsWith("[\"abort\"").contains("Say who you are with ?user=.");
            assertThat(refused.awaitClose()).isEqualTo((short) 1008);
        }
        try (RawSocket failed = RawSocket.open(vertx, URI.create(base + "?user=crash"))) {
            assertThat(failed.next()).startsWith("[\"abort\"").doesNotContain("internal detail");
            assertThat(failed.awaitClose()).isEqualTo(WebSocketTransport.INTERNAL_ERROR);
        }
        try (RawSocket slow = RawSocket.open(vertx, URI.create(base + "?user=slow"))) {
            assertThat(slow.next()).startsWith("[\"abort\"")
                    .contains("The server could not start a Cap'n Web session in time; try again later.");
            assertThat(slow.awaitClose()).as("try again later").isEqualTo((short) 1013);
        }
        try (RawSocket alice = RawSocket.open(vertx, URI.create(base + "?user=alice"))) {
            alice.socket.writeTextMessage("sent before the session started");
            Thread.sleep(100);
            assertThat(engine.sessions).as("no session before the factory's stage completes").isEmpty();
            alicesMain.complete("alice");
            assertThat(alice.next()).isEqualTo("echo:sent before the session started");
        }
        assertThat(engine.sessions).hasSize(1);
    }

    @Test
    void aTransportOverTheApplicationsOwnSocketCarriesASession() throws Exception {
        HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(socket -> engine.newSession(CapnWebVertx.transport(socket, 100), "own",
                        SessionOptions.defaults()))
                .listen());
        try (RawSocket ws = RawSocket.open(vertx, URI.create("http://127.0.0.1:" + server.actualPort() + "/"))) {
            ws.socket.writeTextMessage("one");
            ws.socket.writeTextMessage("two");
            assertThat(ws.next()).isEqualTo("echo:one");
            assertThat(ws.next()).isEqualTo("echo:two");
            ws.socket.writeTextMessage("x".repeat(101));
            assertThat(ws.next()).startsWith("[\"abort\"").contains("limit of 100 bytes");
            assertThat(ws.awaitClose()).isEqualTo(WebSocketTransport.MESSAGE_TOO_BIG);
        }
        assertThat(engine.sessions.get(0).received).containsExactly("one", "two");
    }

    @Test
    void aServerOnTheApplicationsVertxLeavesItRunningWhenClosed() throws Exception {
        var rpc = new VertxRpcServerStarter(vertx).start(ServerOptions.builder(() -> "mine").build());
        assertThat(post(rpc.port(), "/rpc", "q")).isEqualTo("200 batch:q:mine");
        assertThat(rpc.close(java.time.Duration.ofSeconds(5))).isTrue();
        assertThat(await(vertx.executeBlocking(() -> "still running"))).isEqualTo("still running");
    }

    /** Starts a server on a given Vertx with the fake engine (CapnWebVertx.serve uses the discovered one). */
    private final class VertxRpcServerStarter {
        private final Vertx v;

        VertxRpcServerStarter(Vertx v) {
            this.v = v;
        }

        capnweb.api.RpcServer start(ServerOptions options) {
            return VertxRpcServer.startAndWait(VertxLease.borrowed(v), options, engine);
        }
    }
}
