package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.CallInterceptor;
import capnweb.api.ClientOptions;
import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance suite every Cap'n Web transport runs: a transport's test extends this class and
 * returns its provider from {@link #provider()}. Servers listen on 127.0.0.1 with port 0; raw
 * WebSocket and HTTP traffic uses the JDK's own clients, so the transport under test is checked
 * from outside as well as through its own client.
 *
 * <p>The sessions run on the engine that {@link #engine()} returns, by default the one
 * {@link ProviderRegistry#load()} finds, so the engine must be on the test path (a transport's
 * runtime dependency on capnweb-protocol puts it there).
 *
 * <p>Using it: depend on capnweb-transport-testkit with test scope and write
 * {@code class XTransportConformanceTest extends TransportConformanceTest} returning the provider.
 * The kit is a plain jar without a module descriptor: in a module-path test run it sits on the
 * class path, and surefire lets the patched test module read it. For raw traffic in a transport's
 * own tests, use {@link RawWebSocket} and {@link RawHttp}, which spares the transport's module
 * from reading {@code java.net.http}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportConformanceTest {
    /** The message limit of servers started by {@link #startSmallServer()}, in bytes. */
    protected static final int SMALL_LIMIT = 16 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Closer resources = new Closer();
    /** What the current test's server targets observed. */
    protected final KitTargets.State state = new KitTargets.State();

    /** @return the transport under test */
    protected abstract TransportProvider provider();

    /** @return the engine the sessions run on */
    protected RpcEngine engine() {
        return ProviderRegistry.load().engine();
    }

    @AfterEach
    void closeEverything() {
        resources.closeAll();
    }

    // ---- WebSocket sessions ---------------------------------------------------------------

    @Test
    void callsTravelBothWaysOverOneWebSocket() {
        RpcServer server = startServer(b -> b);
        KitTargets.ClientSide clientSide = new KitTargets.ClientSide();
        RpcSession session = connect(webSocketUri(server), ClientOptions.builder().localMain(clientSide).build());
        try (RpcStub main = session.main()) {
            assertThat(main.call("add", 2, 3).join(WAIT)).isEqualTo(5L);
            assertThat(main.call("callMethod", clientSide, "twice", 21).join(WAIT)).isEqualTo(42L);
            assertThat(main.call("echo", "héllo ✓ 𝄞").join(WAIT)).isEqualTo("héllo ✓ 𝄞");
        }
        assertThat(clientSide.calls).hasValue(1);
        assertThat(server.openSessions()).isEqualTo(1);
        assertThat(state.mainsCreated).hasValue(1);
    }

    @Test
    void serverCallsClientFunctionsWhileTheCallIsPending() {
        RpcServer server = startServer(b -> b);
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        AtomicInteger calls = new AtomicInteger();
        RpcFunction tenfold = args -> {
            calls.incrementAndGet();
            return ((Number) args[0]).longValue() * 10;
        };
        try (RpcStub main = session.main()) {
            for (int i = 1; i <= 5; i++) {
                assertThat(main.call("callFunction", tenfold, i).join(WAIT)).isEqualTo(10L * i);
            }
        }
        assertThat(calls).hasValue(5);
    }

    @Test
    void pipelinedCallsOnAWebSocketNeedNoRoundTripPerCall() {
        RpcServer server = startServer(b -> b);
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        try (RpcStub main = session.main();
             RpcPromise counter = main.call("makeCounter", 100)) {
            RpcPromise first = counter.call("increment", 1);
            RpcPromise second = counter.call("increment", 2);
            assertThat(first.join(WAIT)).isEqualTo(101L);
            assertThat(second.join(WAIT)).isEqualTo(103L);
        }
    }

    @Test
    void interceptorsSeeTheCallsOfWebSocketAndBatchSessionsOnBothSides() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CallInterceptor server = call -> {
            seen.add("server " + call.method() + call.arguments().stream()
                    .map(a -> a instanceof RpcStub ? "a stub" : a).collect(Collectors.toList()));
            if (call.method().equals("add") && ((Number) call.arguments().get(0)).longValue() < 0) {
                throw RpcException.of("RangeError", "This server adds no negative numbers.");
            }
            return call.proceed();
        };
        CallInterceptor client = call -> {
            seen.add("client " + call.method() + call.arguments());
            return call.proceed();
        };
        RpcServer running = startServer(b -> b.sessionOptions(SessionOptions.builder().interceptor(server).build()));
        ClientOptions options = ClientOptions.builder()
                .sessionOptions(SessionOptions.builder().interceptor(client).build()).build();
        RpcFunction tenfold = args -> ((Number) args[0]).longValue() * 10;
        try (RpcStub main = connect(webSocketUri(running), options).main()) {
            assertThat(main.call("add", 2, 3).join(WAIT)).isEqualTo(5L);
            assertThat(main.call("callFunction", tenfold, 4).join(WAIT)).isEqualTo(40L);
            assertThatThrownBy(() -> main.call("add", -1, 3).join(WAIT))
                    .hasMessageContaining("This server adds no negative numbers.");
        }
        try (RpcStub main = connect(running.uri(), options).main()) {
            assertThat(main.call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        }
        assertThat(seen).containsExactly("server add[2, 3]", "server callFunction[a stub, 4]",
                "client apply[4]", "server add[-1, 3]", "server add[1, 2]");
    }

    // ---- HTTP batch -------------------------------------------------------------------------

    @Test
    void httpBatchPipelinesEveryCallInOnePost() throws Exception {
        RpcServer server = startServer(b -> b);
        RpcSession session = connect(server.uri(), ClientOptions.defaults());
        RpcStub main = session.main();
        RpcPromise counter = main.call("makeCounter", 10);
        RpcPromise incremented = counter.call("increment", 5);
        RpcPromise sum = main.call("add", 1, 2);
        // Asking for both results in one step puts both pulls in the one request.
        assertThat(session.whenAll(incremented, sum).get(10, TimeUnit.SECONDS)).containsExactly(15L, 3L);
        assertThat(state.mainsCreated).as("batch requests served").hasValue(1);
    }

    @Test
    void batchClientNamesTheHttpStatusWhenTheServerRefuses() {
        RpcServer server = startServer(b -> b);
        RpcSession session = connect(server.uri().resolve("/not-the-endpoint"), ClientOptions.defaults());
        RpcStub main = session.main();
        assertThatThrownBy(() -> main.call("add", 1, 2).join(WAIT)).hasMessageContaining("404");
        assertThat(state.mainsCreated).hasValue(0);
    }

    @Test
    void connectingToAClosedPortFailsClearly() {
        RpcServer server = startServer(b -> b);
        URI uri = webSocketUri(server);
        assertThat(server.close(WAIT)).isTrue();
        assertThat(provider().connect(uri, ClientOptions.defaults(), engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining(String.valueOf(uri.getPort()));
    }

    @Test
    void batchResponseCarriesTheConfiguredHeadersAndAnswersPreflight() throws Exception {
        RpcServer server = startServer(b -> b.batchResponseHeader("Access-Control-Allow-Origin", "*"));
        RawHttp.Response post = post(server.uri(), "");
        assertThat(post.status()).isEqualTo(200);
        assertThat(post.body()).isEmpty();
        assertThat(post.header("Access-Control-Allow-Origin")).hasValue("*");

        RawHttp.Response preflight = RawHttp.request("OPTIONS", server.uri(),
                "Origin", "http://example.com", "Access-Control-Request-Method", "POST");
        assertThat(preflight.status()).isBetween(200, 204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).hasValue("*");
    }

    @Test
    void batchRequestAnswersWithNewlineSeparatedMessages() throws Exception {
        RpcServer server = startServer(b -> b);
        RawHttp.Response response = post(server.uri(),
                "[\"push\",[\"pipeline\",0,[\"add\"],[20,22]]]\n[\"pull\",1]");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain"));
        assertThat(response.body()).isEqualTo("[\"resolve\",1,42]");
    }

    @Test
    void batchThatLeavesTheServerWaitingForTheClientIsAnsweredAtOnce() throws Exception {
        // The client's promise is never resolved in the body, and no later request can resolve it.
        RpcServer server = startServer(b -> b);
        RawHttp.Response response = post(server.uri(),
                "[\"push\",[\"pipeline\",0,[\"add\"],[[\"promise\",-2],1]]]\n[\"pull\",1]");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).startsWith("[\"reject\",1,[\"error\",")
                .contains("The HTTP batch ended while the server still waited for the client");
        assertThat(server.close(Duration.ofSeconds(5))).as("no batch is left in flight").isTrue();
    }

    @Test
    void nonPostRequestsOnTheBatchPathGet405() throws Exception {
        RpcServer server = startServer(b -> b);
        for (String method : List.of("GET", "PUT", "DELETE")) {
            RawHttp.Response response = RawHttp.request(method, server.uri());
            assertThat(response.status()).as(method).isEqualTo(405);
            assertThat(response.body()).as(method).isNotBlank();
            assertNoStackTrace(response.body());
        }
        assertThat(state.mainsCreated).hasValue(0);
    }

    @Test
    void garbageBatchBodyGetsAClearAnswerAndTheServerCarriesOn() throws Exception {
        RpcServer server = startServer(b -> b);
        for (String garbage : List.of("this is not JSON", "{\"push\": 1}", "[\"push\"", "[\"nonsense\",1,2]")) {
            RawHttp.Response response = post(server.uri(), garbage);
            assertThat(response.status()).as(garbage).isIn(200, 400);
            if (response.status() == 200) {
                assertThat(response.body()).as(garbage).contains("\"abort\"");
            } else {
                assertThat(response.body()).as(garbage).isNotBlank();
            }
            assertNoStackTrace(response.body());
        }
        assertThat(post(server.uri(), "[\"push\",[\"pipeline\",0,[\"add\"],[1,1]]]\n[\"pull\",1]").body())
                .isEqualTo("[\"resolve\",1,2]");
    }

    // ---- limits -------------------------------------------------------------------------------

    @Test
    void webSocketMessageAtTheLimitIsServedAndOneByteMoreIsRefused() {
        RpcServer server = startSmallServer();
        try (RawWebSocket raw = RawWebSocket.open(webSocketUri(server))) {
            raw.send(echoPushOfSize(SMALL_LIMIT)).send("[\"pull\",1]");
            String resolve = raw.nextTextStartingWith("[\"resolve\",1,", WAIT);
            assertThat(resolve).hasSizeGreaterThan(SMALL_LIMIT - 100);

            raw.send(echoPushOfSize(SMALL_LIMIT + 1));
            RawWebSocket.Close close = raw.awaitClose(WAIT);
            assertThat(close.code()).isNotEqualTo(1000);
        }
        assertNewSessionWorks(server);
    }

    @Test
    void batchBodyAtTheLimitIsServedAndOneByteMoreGets413() throws Exception {
        RpcServer server = startSmallServer();
        String pull = "\n[\"pull\",1]";
        String atLimit = echoPushOfSize(SMALL_LIMIT - pull.length()) + pull;
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(SMALL_LIMIT);
        RawHttp.Response ok = post(server.uri(), atLimit);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).startsWith("[\"resolve\",1,");

        String overLimit = echoPushOfSize(SMALL_LIMIT + 1 - pull.length()) + pull;
        RawHttp.Response refused = post(server.uri(), overLimit);
        assertThat(refused.status()).isEqualTo(413);
        assertNoStackTrace(refused.body());
        assertThat(post(server.uri(), "").status()).isEqualTo(200);
    }

    @Test
    void anOversizeBatchGetsIts413EveryTimeNotAReset() {
        // The server closes after refusing; with the body left unread, the kernel could reset the
        // connection and the client lose the answer.
        RpcServer server = startSmallServer();
        String pull = "\n[\"pull\",1]";
        String overLimit = echoPushOfSize(SMALL_LIMIT + 1 - pull.length()) + pull;
        for (int i = 0; i < 100; i++) {
            assertThat(post(server.uri(), overLimit).status()).as("attempt %d", i).isEqualTo(413);
        }
    }

    @Test
    void serverClosingTheConnectionRejectsTheClientsPendingCalls() throws Exception {
        RpcServer server = startSmallServer();
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        RpcStub main = session.main();
        RpcPromise pending = main.call("hang");
        CompletableFuture<Object> result = pending.toCompletableFuture();
        assertThat(state.hangStarted.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Throwable> broken = new AtomicReference<>();
        main.onBroken(broken::set);

        // A message over the server's limit makes the server drop this connection.
        main.call("echo", "y".repeat(SMALL_LIMIT * 2));

        // Either the server's abort (naming the limit) or the lost connection rejects the call.
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .hasMessageMatching("(?is).*(limit|large|" + CONNECTION_ENDED_WORDS + ").*");
        await(() -> broken.get() != null);
        await(() -> !session.isOpen());
        await(() -> server.openSessions() == 0);
        assertNewSessionWorks(server);
    }

    // ---- disconnects and shutdown --------------------------------------------------------------

    @Test
    void abruptClientDisconnectReleasesWhatTheServerExported() throws Exception {
        RpcServer server = startServer(b -> b);
        RawWebSocket raw = RawWebSocket.open(webSocketUri(server));
        raw.send("[\"push\",[\"pipeline\",0,[\"openResource\"],[]]]").send("[\"pull\",1]");
        assertThat(raw.nextTextStartingWith("[\"resolve\",1,", WAIT)).contains("\"export\"");
        raw.send("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]").send("[\"pull\",2]");
        assertThat(state.hangStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(state.resourceClosed.getCount()).isEqualTo(1);

        raw.abort();

        assertThat(state.resourceClosed.await(10, TimeUnit.SECONDS))
                .as("the resource the dropped client held was closed").isTrue();
        await(() -> server.openSessions() == 0);
        assertNewSessionWorks(server);
    }

    @Test
    void stoppingTheServerClosesLiveSessionsAndClientsSeeIt() throws Exception {
        RpcServer server = startServer(b -> b);
        List<RpcSession> sessions = new ArrayList<>();
        List<CompletableFuture<Throwable>> brokenStubs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RpcSession s = connect(webSocketUri(server), ClientOptions.defaults());
            sessions.add(s);
            RpcStub main = s.main();
            assertThat(main.call("add", i, 1).join(WAIT)).isEqualTo(i + 1L);
            CompletableFuture<Throwable> broken = new CompletableFuture<>();
            main.onBroken(broken::complete);
            brokenStubs.add(broken);
        }
        RpcSession withPendingCall = sessions.get(0);
        CompletableFuture<Object> pending = withPendingCall.main().call("hang").toCompletableFuture();
        assertThat(state.hangStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.openSessions()).isEqualTo(3);

        assertThat(server.close(Duration.ofSeconds(10))).as("closed within the timeout").isTrue();

        assertThat(server.openSessions()).isZero();
        for (RpcSession s : sessions) {
            await(() -> !s.isOpen());
            assertThat(s.closed().toCompletableFuture()).failsWithin(WAIT)
                    .withThrowableThat().withMessageMatching(".*" + CONNECTION_ENDED);
        }
        for (CompletableFuture<Throwable> broken : brokenStubs) {
            assertThat(broken).succeedsWithin(WAIT);
        }
        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).hasMessageMatching(CONNECTION_ENDED);
    }

    @Test
    void stoppingTheServerLetsABatchInFlightFinish() throws Exception {
        RpcServer server = startServer(b -> b);
        RpcSession session = connect(server.uri(), ClientOptions.defaults());
        CompletableFuture<Object> answer = session.main().call("held").toCompletableFuture();
        assertThat(state.heldStarted.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
        Thread.sleep(300);
        assertThat(closing).as("close() waits for the batch being served").isNotDone();
        state.heldAnswer.complete("finished");

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("finished");
        assertThat(closing.get(10, TimeUnit.SECONDS)).as("closed within the timeout").isTrue();
    }

    @Test
    void twoHundredConcurrentSessions() {
        RpcServer server = startServer(b -> b);
        int n = 200;
        List<CompletableFuture<RpcSession>> connecting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            connecting.add(provider().connect(webSocketUri(server), ClientOptions.defaults(), engine())
                    .toCompletableFuture());
        }
        List<RpcSession> sessions = new ArrayList<>();
        for (CompletableFuture<RpcSession> c : connecting) {
            RpcSession s = c.orTimeout(30, TimeUnit.SECONDS).join();
            resources.add(s);
            sessions.add(s);
        }
        List<CompletableFuture<Object>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(sessions.get(i).main().call("add", i, 1000).toCompletableFuture());
        }
        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(i + 1000L);
        }
        assertThat(server.openSessions()).isEqualTo(n);
        assertThat(state.mainsCreated).hasValue(n);
        sessions.forEach(RpcSession::close);
        await(() -> server.openSessions() == 0);
    }

    // ---- bad input -------------------------------------------------------------------------------

    @Test
    void binaryFramesAreRefusedWithAnAbort() {
        RpcServer server = startServer(b -> b);
        try (RawWebSocket raw = RawWebSocket.open(webSocketUri(server))) {
            raw.sendBinary(new byte[] {1, 2, 3});
            String abort = raw.nextText(WAIT);
            assertThat(abort).startsWith("[\"abort\",[\"error\",").containsIgnoringCase("binary");
            raw.awaitClose(WAIT);
        }
        assertNewSessionWorks(server);
    }

    @Test
    void garbageWebSocketMessagesGetAnAbortAndOtherSessionsCarryOn() {
        RpcServer server = startSmallServer();
        RpcSession bystander = connect(webSocketUri(server), ClientOptions.defaults());
        RpcStub main = bystander.main();
        assertThat(main.call("add", 1, 1).join(WAIT)).isEqualTo(2L);

        for (String garbage : List.of("not json", "{}", "[\"push\"]", "[\"pull\",99]", "[\"bogus\",1]")) {
            try (RawWebSocket raw = RawWebSocket.open(webSocketUri(server))) {
                raw.send(garbage);
                String abort = raw.nextText(WAIT);
                assertThat(abort).as(garbage).startsWith("[\"abort\",");
                assertNoStackTrace(abort);
                raw.awaitClose(WAIT);
            }
        }
        try (RawWebSocket raw = RawWebSocket.open(webSocketUri(server))) {
            raw.sendBinary(new byte[] {0});
            raw.awaitClose(WAIT);
        }
        try (RawWebSocket raw = RawWebSocket.open(webSocketUri(server))) {
            raw.send("x".repeat(SMALL_LIMIT + 10));
            raw.awaitClose(WAIT);
        }

        assertThat(bystander.isOpen()).isTrue();
        assertThat(main.call("add", 2, 2).join(WAIT)).isEqualTo(4L);
        await(() -> server.openSessions() == 1);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** What a rejection after a lost connection says, loosely: it names the end of the connection. */
    private static final String CONNECTION_ENDED_WORDS = "clos|lost|disconnect|shut|abort|ended";
    private static final String CONNECTION_ENDED = "(?is).*(" + CONNECTION_ENDED_WORDS + ").*";

    /**
     * Starts a server of the transport under test on 127.0.0.1, port 0, closed after the test.
     *
     * @param customizer adjusts the options
     * @return the running server
     */
    protected RpcServer startServer(UnaryOperator<ServerOptions.Builder> customizer) {
        ServerOptions options = customizer.apply(ServerOptions.builder(() -> new KitTargets.Main(state))
                .host("127.0.0.1").port(0)).build();
        RpcServer server = provider().serve(options, engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        assertThat(server.port()).isPositive();
        assertThat(server.transport()).isEqualTo(provider().name());
        return server;
    }

    /** @return a server whose message limit is {@link #SMALL_LIMIT} bytes */
    protected RpcServer startSmallServer() {
        return startServer(b -> b.maxMessageSize(SMALL_LIMIT));
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
     * A push of {@code echo("xxx...")} that is exactly {@code bytes} long.
     *
     * @param bytes the length of the message
     * @return the message
     */
    protected static String echoPushOfSize(int bytes) {
        String head = "[\"push\",[\"pipeline\",0,[\"echo\"],[\"";
        String tail = "\"]]]";
        return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
    }

    private static RawHttp.Response post(URI uri, String body) {
        return RawHttp.post(uri, body);
    }

    private void assertNewSessionWorks(RpcServer server) {
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        try (RpcStub main = session.main()) {
            assertThat(main.call("add", 40, 2).join(WAIT)).isEqualTo(42L);
        }
        session.close();
    }

    private static void assertNoStackTrace(String text) {
        assertThat(text).doesNotContainPattern("\\bat [\\w$.]+\\([\\w$]+\\.java:\\d+\\)")
                .doesNotContain("\tat ");
    }

    /**
     * Waits until {@code condition} holds, at most ten seconds.
     *
     * @param condition what to wait for
     */
    protected static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The condition did not hold within " + WAIT);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
        }
    }
}
