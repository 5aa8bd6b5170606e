package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.CallInterceptor;
import capnweb.api.ClientOptions;
import capnweb.api.RpcException;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A main object factory that sees the request opening each session
 * ({@code ServerOptions.builderWithRequest}): it reads the headers, URI and address of WebSocket
 * upgrades and batches, and a session it refuses is answered with its status and sentence, before
 * any session starts, while the server carries on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportSessionRequestTest extends HardeningSupport {
    private static final String SIGN_IN = "Sign in first: send an Authorization header.";

    /** Reports what its factory saw of the request. */
    public static final class RequestEcho implements RpcTarget {
        private final SessionRequest request;

        RequestEcho(SessionRequest request) {
            this.request = request;
        }

        public String header(String name) {
            return request.header(name).orElse("(none)");
        }

        public String query(String name) {
            return request.queryParameter(name).orElse("(none)");
        }

        public String kind() {
            return request.isWebSocket() ? "websocket" : "batch";
        }

        public String uri() {
            return request.uri().toString();
        }

        public String remoteHost() {
            return request.remoteAddress().map(a -> a.getAddress().getHostAddress()).orElse("(none)");
        }
    }

    @Test
    void theFactorySeesTheRequestOfEachWebSocketAndBatch() throws Exception {
        RpcServer server = serve(RequestEcho::new, SessionOptions.defaults());
        ClientOptions alice = ClientOptions.builder().header("Authorization", "Bearer alice").build();

        URI ws = URI.create(webSocketUri(server) + "?room=blue%20sky&x");
        try (RpcStub main = connect(ws, alice).main()) {
            assertThat(main.call("header", "authorization").join(WAIT)).isEqualTo("Bearer alice");
            assertThat(main.call("query", "room").join(WAIT)).isEqualTo("blue sky");
            assertThat(main.call("query", "x").join(WAIT)).isEqualTo("");
            assertThat(main.call("query", "absent").join(WAIT)).isEqualTo("(none)");
            assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
            assertThat(main.call("uri").join(WAIT)).isEqualTo(ws.toString());
            assertThat(main.call("remoteHost").join(WAIT)).isEqualTo("127.0.0.1");
        }

        URI http = URI.create(server.uri() + "?room=red");
        RpcSession batch = connect(http, alice);
        RpcStub main = batch.main();
        assertThat(batch.whenAll(main.call("header", "Authorization"), main.call("query", "room"),
                main.call("kind"), main.call("uri"), main.call("remoteHost")).get(10, TimeUnit.SECONDS))
                .containsExactly("Bearer alice", "red", "batch", http.toString(), "127.0.0.1");
    }

    @Test
    void withDirectExecutorTheFactorySeesTheRequestToo() throws Exception {
        RpcServer server = serve(RequestEcho::new, SessionOptions.builder().directExecutor().build());
        ClientOptions bob = ClientOptions.builder().header("Authorization", "Bearer bob")
                .sessionOptions(SessionOptions.builder().directExecutor().build()).build();
        try (RpcStub main = connect(webSocketUri(server), bob).main()) {
            assertThat(main.call("header", "authorization").join(WAIT)).isEqualTo("Bearer bob");
        }
        RpcSession batch = connect(server.uri(), bob);
        RpcStub main = batch.main();
        assertThat(batch.whenAll(main.call("header", "authorization"), main.call("kind"))
                .get(10, TimeUnit.SECONDS)).containsExactly("Bearer bob", "batch");
    }

    @Test
    void aRefusedSessionIsAnsweredWithTheFactorysStatusAndSentence() throws Exception {
        AtomicInteger made = new AtomicInteger();
        RpcServer server = serve(request -> {
            if (request.header("Authorization").isEmpty()) {
                throw new SessionRefusedException(401, SIGN_IN, Map.of("WWW-Authenticate", "Bearer"));
            }
            made.incrementAndGet();
            return new RequestEcho(request);
        }, SessionOptions.defaults());

        assertThatThrownBy(() -> PlainWebSocket.open(webSocketUri(server), 0))
                .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 401")
                .hasMessageEndingWith("\r\n\r\n" + SIGN_IN);
        RawHttp.Response raw = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"kind\"],[]]]\n[\"pull\",1]");
        assertThat(raw.status()).isEqualTo(401);
        assertThat(raw.body()).isEqualTo(SIGN_IN);
        assertThat(raw.headers().get("www-authenticate")).containsExactly("Bearer");

        // The Java clients say so too, with the server's sentence.
        assertThat(provider().connect(webSocketUri(server), ClientOptions.defaults(), engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("the WebSocket upgrade was refused with HTTP status 401")
                .withMessageContaining(SIGN_IN.substring(0, SIGN_IN.length() - 1));
        RpcSession batch = connect(server.uri(), ClientOptions.defaults());
        assertThat(batch.main().call("kind").toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("HTTP status 401").withMessageContaining(SIGN_IN.substring(0, SIGN_IN.length() - 1));
        assertThat(made).as("no main object for a refused session").hasValue(0);
        assertThat(server.openSessions()).isZero();

        ClientOptions alice = ClientOptions.builder().header("Authorization", "Bearer alice").build();
        try (RpcStub main = connect(webSocketUri(server), alice).main()) {
            assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
        }
        assertThat(made).hasValue(1);
    }

    @Test
    void aFactoryThatFailsGets500WithoutItsMessageAndTheServerCarriesOn() throws Exception {
        RpcServer server = serve(request -> {
            if (request.queryParameter("fail").isPresent()) {
                throw new IllegalStateException("the user database is down (internal detail)");
            }
            return new RequestEcho(request);
        }, SessionOptions.defaults());
        String answer = "The server could not start a Cap'n Web session.";

        assertThatThrownBy(() -> PlainWebSocket.open(URI.create(webSocketUri(server) + "?fail"), 0))
                .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 500")
                .hasMessageEndingWith("\r\n\r\n" + answer);
        RawHttp.Response raw = RawHttp.post(URI.create(server.uri() + "?fail"), "[\"pull\",1]");
        assertThat(raw.status()).isEqualTo(500);
        assertThat(raw.body()).isEqualTo(answer);

        try (RpcStub main = connect(webSocketUri(server), ClientOptions.defaults()).main()) {
            assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
        }
        assertThat(server.openSessions()).isEqualTo(1);
    }

    @Test
    void aFactoryThatReturnsNullIsAnswered500() {
        RpcServer server = serve(request -> null, SessionOptions.defaults());
        RawHttp.Response raw = RawHttp.post(server.uri(), "[\"pull\",1]");
        assertThat(raw.status()).isEqualTo(500);
        assertThatThrownBy(() -> PlainWebSocket.open(webSocketUri(server), 0))
                .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 500");
    }

    /** A main object that records being closed. */
    public static final class ClosableEcho implements RpcTarget, AutoCloseable {
        final CountDownLatch closed = new CountDownLatch(1);

        public String kind() {
            return "closable";
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void anUpgradeWhoseClientLeftWhileTheFactoryRanGivesBackItsPlaceAndClosesItsMain() throws Exception {
        CountDownLatch factoryEntered = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        ClosableEcho abandoned = new ClosableEcho();
        AtomicInteger calls = new AtomicInteger();
        RpcServer server = serve(request -> {
            if (calls.getAndIncrement() > 0) {
                return new RequestEcho(request);
            }
            factoryEntered.countDown();
            try {
                clientGone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return abandoned;
        }, SessionOptions.defaults(), 1);

        resetUpgradeOnceTheFactoryIsCalled(webSocketUri(server), factoryEntered);
        clientGone.countDown();
        assertTheAbandonedUpgradeIsForgotten(server, abandoned);
    }

    @Test
    void anAsynchronousFactoryAnswersWhenItsStageCompletes() throws Exception {
        for (SessionOptions sessions : List.of(SessionOptions.defaults(),
                SessionOptions.builder().directExecutor().build())) {
            BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
            RpcServer server = serveAsync(request -> {
                Pending p = new Pending(request);
                pending.add(p);
                return p.main;
            }, sessions, Integer.MAX_VALUE);
            ClientOptions alice = ClientOptions.builder().header("Authorization", "Bearer alice").build();

            CompletableFuture<RpcSession> webSocket = CompletableFuture.supplyAsync(
                    () -> connect(webSocketUri(server), alice));
            Pending upgrade = pending.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(upgrade).as("the factory was called for the upgrade").isNotNull();
            assertThat(webSocket).as("the upgrade waits for the factory's stage").isNotDone();
            upgrade.complete();
            try (RpcStub main = webSocket.get(10, TimeUnit.SECONDS).main()) {
                assertThat(main.call("header", "authorization").join(WAIT)).isEqualTo("Bearer alice");
                assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
            }

            CompletableFuture<RawHttp.Response> batch = CompletableFuture.supplyAsync(() -> RawHttp.post(server.uri(),
                    "[\"push\",[\"pipeline\",0,[\"kind\"],[]]]\n[\"pull\",1]"));
            Pending post = pending.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(post).as("the factory was called for the batch").isNotNull();
            assertThat(batch).isNotDone();
            post.complete();
            assertThat(batch).succeedsWithin(WAIT).satisfies(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("[\"resolve\",1,\"batch\"]");
            });
        }
    }

    @Test
    void whileAnAsynchronousFactoryWaitsOtherSessionsAreServed() throws Exception {
        // With directExecutor() the factory is called on the thread that read the request: a
        // stage that waits must not hold that thread, or nothing else would be read.
        CompletableFuture<Object> slow = new CompletableFuture<>();
        RpcServer server = serveAsync(request -> request.queryParameter("slow").isPresent() ? slow
                : CompletableFuture.completedFuture(new RequestEcho(request)),
                SessionOptions.builder().directExecutor().build(), Integer.MAX_VALUE);
        CompletableFuture<RpcSession> waiting = CompletableFuture.supplyAsync(
                () -> connect(URI.create(webSocketUri(server) + "?slow"), ClientOptions.defaults()));
        CompletableFuture<RawHttp.Response> waitingBatch = CompletableFuture.supplyAsync(() -> RawHttp.post(
                URI.create(server.uri() + "?slow"), "[\"push\",[\"pipeline\",0,[\"kind\"],[]]]\n[\"pull\",1]"));

        for (int i = 0; i < 3; i++) {
            try (RpcStub main = connect(webSocketUri(server), ClientOptions.defaults()).main()) {
                assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
            }
            RawHttp.Response batch = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"kind\"],[]]]\n[\"pull\",1]");
            assertThat(batch.body()).isEqualTo("[\"resolve\",1,\"batch\"]");
        }
        assertThat(waiting).isNotDone();
        assertThat(waitingBatch).isNotDone();

        // One main object for both: the batch's ends with its session, the socket's is its own.
        slow.complete(new KitTargets.Main(new KitTargets.State()));
        try (RpcStub main = waiting.get(10, TimeUnit.SECONDS).main()) {
            assertThat(main.call("add", 2, 3).join(WAIT)).isEqualTo(5L);
        }
        assertThat(waitingBatch).succeedsWithin(WAIT).satisfies(r -> assertThat(r.status()).isEqualTo(200));
    }

    @Test
    void anAsynchronousFactoryRefusesByFailingItsStage() throws Exception {
        RpcServer server = serveAsync(request -> {
            switch (request.queryParameter("case").orElse("")) {
                case "refuse":
                    return CompletableFuture.failedFuture(new SessionRefusedException(401, SIGN_IN,
                            Map.of("WWW-Authenticate", "Bearer")));
                case "refuseLater":
                    return CompletableFuture.supplyAsync(() -> {
                        throw new SessionRefusedException(403, "Not for you.");
                    });
                case "throw":
                    throw new SessionRefusedException(429, "Slow down.");
                case "fail":
                    return CompletableFuture.failedFuture(new IllegalStateException("token service down (internal)"));
                case "nullStage":
                    return null;
                case "nullMain":
                    return CompletableFuture.completedFuture(null);
                default:
                    return CompletableFuture.completedFuture(new RequestEcho(request));
            }
        }, SessionOptions.defaults(), Integer.MAX_VALUE);
        String failed = "The server could not start a Cap'n Web session.";
        Map<String, Object[]> expected = Map.of(
                "refuse", new Object[] {401, SIGN_IN},
                "refuseLater", new Object[] {403, "Not for you."},
                "throw", new Object[] {429, "Slow down."},
                "fail", new Object[] {500, failed},
                "nullStage", new Object[] {500, failed},
                "nullMain", new Object[] {500, failed});
        for (Map.Entry<String, Object[]> c : expected.entrySet()) {
            URI ws = URI.create(webSocketUri(server) + "?case=" + c.getKey());
            assertThatThrownBy(() -> PlainWebSocket.open(ws, 0)).as(c.getKey())
                    .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 " + c.getValue()[0])
                    .hasMessageEndingWith("\r\n\r\n" + c.getValue()[1]);
            RawHttp.Response raw = RawHttp.post(URI.create(server.uri() + "?case=" + c.getKey()), "[\"pull\",1]");
            assertThat(raw.status()).as(c.getKey()).isEqualTo(c.getValue()[0]);
            assertThat(raw.body()).as(c.getKey()).isEqualTo(c.getValue()[1]);
        }
        assertThat(server.openSessions()).isZero();
        try (RpcStub main = connect(webSocketUri(server), ClientOptions.defaults()).main()) {
            assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
        }
    }

    @Test
    void anUpgradeWhoseClientLeftWhileAnAsynchronousFactoryWaitedGivesBackItsPlace() throws Exception {
        CompletableFuture<Object> first = new CompletableFuture<>();
        CountDownLatch asked = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        RpcServer server = serveAsync(request -> {
            if (calls.getAndIncrement() > 0) {
                return CompletableFuture.completedFuture(new RequestEcho(request));
            }
            asked.countDown();
            return first;
        }, SessionOptions.defaults(), 1);
        resetUpgradeOnceTheFactoryIsCalled(webSocketUri(server), asked);
        ClosableEcho abandoned = new ClosableEcho();
        first.complete(abandoned);
        assertTheAbandonedUpgradeIsForgotten(server, abandoned);
    }

    /**
     * Asks for an upgrade, then resets the connection once the factory is called, so that the
     * server's answer to the upgrade cannot be written.
     */
    private static void resetUpgradeOnceTheFactoryIsCalled(URI ws, CountDownLatch factoryCalled) throws Exception {
        try (Socket socket = new Socket(ws.getHost(), ws.getPort())) {
            socket.getOutputStream().write(upgradeRequest(ws));
            assertThat(factoryCalled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            socket.setSoLinger(true, 0);
        }
    }

    /** The main made for an upgrade whose client left is closed, and its place is free again. */
    private void assertTheAbandonedUpgradeIsForgotten(RpcServer server, ClosableEcho abandoned) throws Exception {
        assertThat(abandoned.closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the main object no session took is closed").isTrue();
        await("the abandoned upgrade gave back its place", WAIT, () -> {
            try (RpcStub main = connect(webSocketUri(server), ClientOptions.defaults()).main()) {
                return "websocket".equals(main.call("kind").join(WAIT));
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** A main object that needs nothing of its request. */
    public static final class Hello implements RpcTarget {
        public String hello() {
            return "hello";
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "default", "direct", "async"})
    void anInterceptorReadsTheRequestOfEachWebSocketAndBatchSession(String way) throws Exception {
        String onlyAlice = "Only Alice may call this server: send Authorization: Bearer alice.";
        List<SessionRequest> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<SessionRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CallInterceptor aliceOnly = call -> {
            SessionRequest request = call.session().request().orElseThrow(
                    () -> new IllegalStateException("The session has no request."));
            seen.add(request);
            if (!request.header("Authorization").equals(java.util.Optional.of("Bearer alice"))) {
                throw RpcException.of("Error", onlyAlice);
            }
            return call.proceed();
        };
        SessionOptions.Builder sessionOptions = SessionOptions.builder().interceptor(aliceOnly);
        Function<SessionRequest, Object> factory = request -> {
            made.add(request);
            return new Hello();
        };
        ServerOptions.Builder builder;
        switch (way) {
            case "plain":
                builder = ServerOptions.builder(Hello::new);
                break;
            case "async":
                builder = ServerOptions.builderWithRequestAsync(
                        request -> CompletableFuture.supplyAsync(() -> factory.apply(request)));
                break;
            case "direct":
                builder = ServerOptions.builderWithRequest(factory);
                sessionOptions.directExecutor();
                break;
            default:
                builder = ServerOptions.builderWithRequest(factory);
        }
        RpcServer server = provider().serve(builder.sessionOptions(sessionOptions.build())
                .host("127.0.0.1").port(0).build(), engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        ClientOptions alice = ClientOptions.builder().header("Authorization", "Bearer alice").build();

        try (RpcStub main = connect(webSocketUri(server), alice).main()) {
            assertThat(main.call("hello").join(WAIT)).isEqualTo("hello");
            assertThat(main.call("hello").join(WAIT)).isEqualTo("hello");
        }
        try (RpcStub main = connect(webSocketUri(server), ClientOptions.defaults()).main()) {
            assertThatThrownBy(() -> main.call("hello").join(WAIT)).hasMessageContaining(onlyAlice);
        }
        assertThat(connect(server.uri(), alice).main().call("hello").join(WAIT)).isEqualTo("hello");
        assertThatThrownBy(() -> connect(server.uri(), ClientOptions.defaults()).main().call("hello").join(WAIT))
                .hasMessageContaining(onlyAlice);

        assertThat(seen).extracting(SessionRequest::isWebSocket).containsExactly(true, true, true, false, false);
        assertThat(seen).extracting(r -> r.header("authorization").orElse("(none)"))
                .containsExactly("Bearer alice", "Bearer alice", "(none)", "Bearer alice", "(none)");
        assertThat(seen.get(0)).as("one request per session").isSameAs(seen.get(1));
        assertThat(seen.get(0).remoteAddress()).hasValueSatisfying(
                a -> assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1"));
        if (!way.equals("plain")) {
            assertThat(made).as("the factory and the interceptor see the same request").hasSize(4);
            for (int i = 0; i < 4; i++) {
                assertThat(seen.get(i == 0 ? 0 : i + 1)).isSameAs(made.get(i));
            }
        }
    }

    /** A main object that calls back the function its client passes. */
    public static final class CallsBack implements RpcTarget {
        public CompletionStage<Object> callBack(RpcStub function, String text) {
            return function.invoke(text);
        }
    }

    @Test
    void anOutgoingInterceptorOfAServerReadsTheRequestOfTheSessionItCallsTheClientThrough() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        SessionOptions sessions = SessionOptions.builder().outgoingInterceptor(call -> {
            seen.add(call.session().request().flatMap(r -> r.header("Authorization")).orElse("(no request)"));
            return call.proceed();
        }).build();
        // A factory that does not read the request: the outgoing interceptor alone has it described.
        RpcServer server = provider().serve(ServerOptions.builder(CallsBack::new).sessionOptions(sessions)
                .host("127.0.0.1").port(0).build(), engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        ClientOptions alice = ClientOptions.builder().header("Authorization", "Bearer alice").build();
        capnweb.api.RpcFunction shout = args -> args[0].toString().toUpperCase(java.util.Locale.ROOT);
        try (RpcStub main = connect(webSocketUri(server), alice).main()) {
            assertThat(main.call("callBack", shout, "hi").join(WAIT)).isEqualTo("HI");
        }
        assertThat(seen).containsExactly("Bearer alice");
    }

    /** The ways a factory may run: on a thread that may block, on the reading thread, or as a stage. */
    private RpcServer serveFactory(String way, Function<SessionRequest, Object> factory, int maxMessageSize) {
        ServerOptions.Builder builder;
        switch (way) {
            case "async":
                builder = ServerOptions.builderWithRequestAsync(request -> CompletableFuture.supplyAsync(
                        () -> factory.apply(request), CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)));
                break;
            case "direct":
                builder = ServerOptions.builderWithRequest(factory).sessionOptions(
                        SessionOptions.builder().directExecutor().build());
                break;
            default:
                builder = ServerOptions.builderWithRequest(factory);
        }
        RpcServer server = provider().serve(builder.host("127.0.0.1").port(0).maxMessageSize(maxMessageSize).build(),
                engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        return server;
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "direct", "async"})
    void aBatchIsRefusedOnItsHeadersWithoutWaitingForItsBody(String way) throws Exception {
        AtomicInteger made = new AtomicInteger();
        RpcServer server = serveFactory(way, request -> {
            if (request.header("Authorization").isEmpty()) {
                throw new SessionRefusedException(401, SIGN_IN, Map.of("WWW-Authenticate", "Bearer"));
            }
            made.incrementAndGet();
            return new RequestEcho(request);
        }, 1 << 20);

        // The body is announced and never sent: the answer cannot wait for it.
        assertThat(RawHttp.statusesOfUnsentBodies(server.uri(), WAIT))
                .containsExactly("HTTP/1.1 401", "HTTP/1.1 401");
        assertThat(made).as("no main object for a refused batch").hasValue(0);
        RpcSession batch = connect(server.uri(), ClientOptions.builder().header("Authorization", "Bearer bob").build());
        assertThat(batch.main().call("kind").join(WAIT)).isEqualTo("batch");
        assertThat(made).hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "direct", "async"})
    void aMainMadeForABatchThatNeverRunsIsClosedAndItsPlaceGivenBack(String way) throws Exception {
        List<ClosableEcho> mains = new java.util.concurrent.CopyOnWriteArrayList<>();
        RpcServer server = serveFactory(way, request -> {
            ClosableEcho main = new ClosableEcho();
            mains.add(main);
            return main;
        }, 1000);

        // A client that leaves halfway through its body.
        try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
            socket.getOutputStream().write(RawHttp.batchHead(server.uri(), "Content-Length: 100"));
            socket.getOutputStream().write("[\"pull\",".getBytes(StandardCharsets.US_ASCII));
            await("the factory ran", WAIT, () -> mains.size() == 1);
            socket.setSoLinger(true, 0);
        }
        assertThat(mains.get(0).closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the main of a batch whose client left is closed").isTrue();

        // A body that grows past the limit, sent in chunks without a declared length.
        byte[] large = new byte[3000];
        java.util.Arrays.fill(large, (byte) ' ');
        assertThat(RawHttp.postChunked(server.uri(), large).status()).isEqualTo(413);
        assertThat(mains).hasSize(2);
        assertThat(mains.get(1).closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the main of a batch refused as too large is closed").isTrue();

        // A body that is not UTF-8.
        assertThat(RawHttp.postBytes(server.uri(), new byte[] {(byte) 0xff, (byte) 0xfe}).status()).isEqualTo(400);
        assertThat(mains).hasSize(3);
        assertThat(mains.get(2).closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the main of a batch refused as not UTF-8 is closed").isTrue();

        RpcSession batch = connect(server.uri(), ClientOptions.defaults());
        assertThat(batch.main().call("kind").join(WAIT)).as("the server carries on").isEqualTo("closable");
    }

    @Test
    void anAsynchronousFactoryThatTakesTooLongIsRefusedWith503AndGivesBackItsPlace() throws Exception {
        // Requests without a token wait on a stage nobody completes in time.
        List<CompletableFuture<Object>> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
        RpcServer server = provider().serve(ServerOptions.builderWithRequestAsync(request -> {
            if (request.header("Authorization").isPresent()) {
                return CompletableFuture.completedFuture(new RequestEcho(request));
            }
            CompletableFuture<Object> stage = new CompletableFuture<>();
            waiting.add(stage);
            return stage;
        }).host("127.0.0.1").port(0).maxSessions(1).factoryTimeout(Duration.ofMillis(200)).build(), engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        String tooLong = "The server could not start a Cap'n Web session in time; try again later.";

        assertThatThrownBy(() -> PlainWebSocket.open(webSocketUri(server), 0))
                .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 503")
                .hasMessageEndingWith("\r\n\r\n" + tooLong);
        RawHttp.Response batch = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"kind\"],[]]]\n[\"pull\",1]");
        assertThat(batch.status()).isEqualTo(503);
        assertThat(batch.body()).isEqualTo(tooLong);

        // What the stages make after the refusals is closed; their places were given back.
        assertThat(waiting).hasSize(2);
        List<ClosableEcho> late = List.of(new ClosableEcho(), new ClosableEcho());
        for (int i = 0; i < 2; i++) {
            waiting.get(i).complete(late.get(i));
            assertThat(late.get(i).closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the main made late for request %d is closed", i).isTrue();
        }
        ClientOptions alice = ClientOptions.builder().header("Authorization", "Bearer alice").build();
        try (RpcStub main = connect(webSocketUri(server), alice).main()) {
            assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
        }
    }

    @ParameterizedTest(name = "asynchronous factory: {0}")
    @ValueSource(booleans = {false, true})
    void theFactoryRunsOnceForEachSessionAndNeverForAnUpgradeThatCannotSucceed(boolean async) throws Exception {
        BlockingQueue<SessionRequest> seen = new LinkedBlockingQueue<>();
        RpcServer server = async
                ? serveAsync(request -> {
                    seen.add(request);
                    return CompletableFuture.completedFuture(new RequestEcho(request));
                }, SessionOptions.defaults(), Integer.MAX_VALUE)
                : serve(request -> {
                    seen.add(request);
                    return new RequestEcho(request);
                }, SessionOptions.defaults());
        URI ws = webSocketUri(server);
        String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

        // A POST that carries the headers of an upgrade is a batch, and its factory runs once.
        RawHttp.Response post = RawHttp.overSocket("POST", server.uri(),
                "[\"push\",[\"pipeline\",0,[\"kind\"],[]]]\n[\"pull\",1]", upgrade, key,
                "Sec-WebSocket-Version: 13\r\n");
        assertThat(post.status()).isEqualTo(200);
        assertThat(post.body()).isEqualTo("[\"resolve\",1,\"batch\"]");
        assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).isWebSocket()).isFalse();

        // Upgrades that cannot succeed are answered in a sentence, before the factory runs.
        RawHttp.Response noKey = RawHttp.overSocket("GET", ws, "", upgrade, "Sec-WebSocket-Version: 13\r\n");
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.body()).isEqualTo("The WebSocket upgrade has no Sec-WebSocket-Key header; "
                + "send the upgrade from a WebSocket client, which adds one.");
        RawHttp.Response draft = RawHttp.overSocket("GET", ws, "", upgrade, key, "Sec-WebSocket-Version: 8\r\n");
        assertThat(draft.status()).isEqualTo(426);
        assertThat(draft.header("Sec-WebSocket-Version")).contains("13");
        assertThat(draft.body())
                .isEqualTo("The WebSocket upgrade asks for version \"8\"; this server speaks version 13 (RFC 6455) only.");
        RawHttp.Response noVersion = RawHttp.overSocket("GET", ws, "", upgrade, key);
        assertThat(noVersion.status()).isEqualTo(426);
        assertThat(noVersion.body()).startsWith("The WebSocket upgrade asks for no version (Sec-WebSocket-Version);");

        // A true upgrade then runs the factory once, for a WebSocket, and nothing ran in between.
        try (RpcStub main = connect(ws, ClientOptions.defaults()).main()) {
            assertThat(main.call("kind").join(WAIT)).isEqualTo("websocket");
        }
        assertThat(seen.poll().isWebSocket()).isTrue();
        assertThat(seen).isEmpty();
    }

    @Test
    void refusalsHaveAnHttpErrorStatus() {
        for (int status : List.of(200, 302, 399, 600)) {
            assertThatThrownBy(() -> new SessionRefusedException(status, "no"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("from 400 to 599").hasMessageContaining(String.valueOf(status));
        }
        assertThat(new SessionRefusedException(429, "Slow down.").status()).isEqualTo(429);
        assertThatThrownBy(() -> new SessionRefusedException(401, "Sign in."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WWW-Authenticate");
    }

    /** The bytes of a WebSocket upgrade request for {@code uri}. */
    private static byte[] upgradeRequest(URI uri) {
        return ("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A main object factory's stage, completed by the test. */
    private static final class Pending {
        final SessionRequest request;
        final CompletableFuture<Object> main = new CompletableFuture<>();

        Pending(SessionRequest request) {
            this.request = request;
        }

        void complete() {
            // From a thread of the test's own, as a token service's client would.
            new Thread(() -> main.complete(new RequestEcho(request))).start();
        }
    }

    private RpcServer serveAsync(Function<SessionRequest, CompletionStage<Object>> factory, SessionOptions sessions,
            int maxSessions) {
        ServerOptions options = ServerOptions.builderWithRequestAsync(factory).host("127.0.0.1").port(0)
                .sessionOptions(sessions).maxSessions(maxSessions).build();
        RpcServer server = provider().serve(options, engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        return server;
    }

    private RpcServer serve(Function<SessionRequest, Object> factory, SessionOptions sessions) {
        return serve(factory, sessions, Integer.MAX_VALUE);
    }

    private RpcServer serve(Function<SessionRequest, Object> factory, SessionOptions sessions, int maxSessions) {
        ServerOptions options = ServerOptions.builderWithRequest(factory).host("127.0.0.1").port(0)
                .sessionOptions(sessions).maxSessions(maxSessions).build();
        RpcServer server = provider().serve(options, engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        return server;
    }
}
