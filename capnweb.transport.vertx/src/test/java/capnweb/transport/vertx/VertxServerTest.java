package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.transport.testkit.PlainWebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketFrame;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's plumbing, with an engine that only echoes text, probed by plain Vert.x clients. */
@Timeout(30)
class VertxServerTest {
    private static Vertx clientVertx;
    private static HttpClientAgent http;

    private final FakeEngine engine = new FakeEngine();
    private final AtomicInteger mains = new AtomicInteger();
    private final List<String> factoryThreads = new CopyOnWriteArrayList<>();
    private RpcServer server;

    @BeforeAll
    static void startClients() {
        clientVertx = Vertx.vertx();
        http = clientVertx.createHttpClient();
    }

    @AfterAll
    static void stopClients() throws Exception {
        clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close(Duration.ofSeconds(5));
        }
    }

    private RpcServer serve(ServerOptions.Builder options) {
        server = new VertxTransportProvider().serve(options.build(), engine);
        return server;
    }

    private ServerOptions.Builder options() {
        return ServerOptions.builder(() -> {
            factoryThreads.add(Thread.currentThread().getName());
            return "main" + mains.incrementAndGet();
        });
    }

    private static Response request(HttpMethod method, URI uri, String body, String... headers) throws Exception {
        RequestOptions ro = new RequestOptions().setMethod(method).setAbsoluteURI(uri.toString());
        for (int i = 0; i < headers.length; i += 2) {
            ro.putHeader(headers[i], headers[i + 1]);
        }
        // On one event-loop context, as VertxClients does: issued from the test thread, the
        // callbacks ran on another event loop and a small body could end before body() was set.
        java.util.concurrent.CompletableFuture<Response> result = new java.util.concurrent.CompletableFuture<>();
        clientVertx.getOrCreateContext().runOnContext(v -> http.request(ro)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> new Response(resp, b.toString())))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        result.complete(ar.result());
                    } else {
                        result.completeExceptionally(ar.cause());
                    }
                }));
        return result.get(10, TimeUnit.SECONDS);
    }

    private static final class Response {
        final int status;
        final HttpClientResponse head;
        final String body;

        Response(HttpClientResponse head, String body) {
            this.status = head.statusCode();
            this.head = head;
            this.body = body;
        }
    }

    @Test
    void listensOnTheChosenFreePortAndReportsIt() throws Exception {
        RpcServer s = serve(options().port(0));
        assertThat(s.port()).isPositive();
        assertThat(s.uri()).isEqualTo(URI.create("http://127.0.0.1:" + s.port() + "/rpc"));
        assertThat(s.transport()).isEqualTo("vertx");
        assertThat(request(HttpMethod.POST, s.uri(), "x").status).isEqualTo(200);
    }

    @Test
    void webSocketMessagesArriveInOrderAndAnswersComeBack() throws Exception {
        RpcServer s = serve(options());
        try (RawSocket ws = RawSocket.open(clientVertx, s.uri())) {
            for (int i = 0; i < 200; i++) {
                ws.socket.writeTextMessage("m" + i);
            }
            for (int i = 0; i < 200; i++) {
                assertThat(ws.next()).isEqualTo("echo:m" + i);
            }
            assertThat(engine.sessions).hasSize(1);
            assertThat(engine.sessions.get(0).main).isEqualTo("main1");
            assertThat(s.openSessions()).isEqualTo(1);
        }
    }

    @Test
    void theAnswersToALongBurstGoOutBeforeTheWholeBurstIsHandled() throws Exception {
        // Vert.x flushes what the event loop writes once a burst is read; the transport writes
        // sooner, so the peer is not left waiting while a long burst is handled.
        CountDownLatch handlingTheBurst = new CountDownLatch(1);
        engine.holdOn = handlingTheBurst;
        RpcServer s = serve(options());
        String kib = "k".repeat(1024);
        // More answers than the transport holds, then a message that holds the event loop.
        int answers = WebSocketTransport.FLUSH_AT_BYTES / 1024 + 4;
        List<String> burst = new ArrayList<>(Collections.nCopies(answers, kib));
        burst.add("hold");
        try (PlainWebSocket ws = PlainWebSocket.open(RawSocket.webSocketUri(s.uri()), 0)) {
            // Once the session has started, frames are handled on the event loop as they are read.
            ws.sendText("started?");
            assertThat(ws.readText(Duration.ofSeconds(5))).isEqualTo("echo:started?");
            ws.sendTexts(burst);
            assertThat(ws.readText(Duration.ofSeconds(5))).isEqualTo("echo:" + kib);
            handlingTheBurst.countDown();
            for (int i = 1; i < answers; i++) {
                assertThat(ws.readText(Duration.ofSeconds(5))).isEqualTo("echo:" + kib);
            }
            assertThat(ws.readText(Duration.ofSeconds(5))).isEqualTo("echo:hold");
        } finally {
            handlingTheBurst.countDown();
        }
    }

    @Test
    void eachWebSocketGetsItsOwnSessionAndMainObject() throws Exception {
        RpcServer s = serve(options());
        try (RawSocket a = RawSocket.open(clientVertx, s.uri()); RawSocket b = RawSocket.open(clientVertx, s.uri())) {
            a.socket.writeTextMessage("a");
            b.socket.writeTextMessage("b");
            assertThat(a.next()).isEqualTo("echo:a");
            assertThat(b.next()).isEqualTo("echo:b");
            assertThat(engine.sessions).extracting(x -> x.main).containsExactlyInAnyOrder("main1", "main2");
            assertThat(s.openSessions()).isEqualTo(2);
        }
    }

    @Test
    void aPortInUseFailsTheStartWithASentenceSayingSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> serve(options().host("127.0.0.1").port(taken.getLocalPort())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Could not listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("Choose another port, or 0 for any free one.");
        }
    }

    @Test
    void userCodeAndTheEngineNeverRunOnAnEventLoop() throws Exception {
        RpcServer s = serve(options());
        try (RawSocket ws = RawSocket.open(clientVertx, s.uri())) {
            ws.socket.writeTextMessage("x");
            ws.next();
        }
        request(HttpMethod.POST, s.uri(), "y");
        assertThat(factoryThreads).hasSize(2).noneMatch(t -> t.contains("eventloop"));
        assertThat(engine.engineThreads).hasSize(2).noneMatch(t -> t.contains("eventloop"));
    }

    @Test
    void aFragmentedTextMessageIsOneMessage() throws Exception {
        RpcServer s = serve(options());
        try (RawSocket ws = RawSocket.open(clientVertx, s.uri())) {
            ws.socket.writeFrame(WebSocketFrame.textFrame("[\"push\",", false));
            ws.socket.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"h\u00e9"), false));
            ws.socket.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("llo\"]"), true));
            assertThat(ws.next()).isEqualTo("echo:[\"push\",\"h\u00e9llo\"]");
        }
    }

    @Test
    void aBinaryFrameGetsAnAbortThenACloseAndOtherSessionsCarryOn() throws Exception {
        RpcServer s = serve(options());
        try (RawSocket good = RawSocket.open(clientVertx, s.uri()); RawSocket bad = RawSocket.open(clientVertx, s.uri())) {
            bad.socket.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
            assertThat(bad.next()).isEqualTo("[\"abort\",[\"error\",\"Error\",\""
                    + WebSocketTransport.BINARY_FRAME_MESSAGE + "\"]]");
            assertThat(bad.awaitClose()).isEqualTo(WebSocketTransport.UNSUPPORTED_DATA);
            good.socket.writeTextMessage("still here");
            assertThat(good.next()).isEqualTo("echo:still here");

            awaitSessions(2);
            FakeEngine.FakeSession badSession = engine.sessions.stream().filter(x -> x.ended.isDone())
                    .findFirst().orElseThrow();
            assertThat(badSession.ended.get()).hasMessageContaining("binary frames are not supported");
            assertThat(badSession.received).isEmpty();
            assertThat(engine.sessions).filteredOn(x -> !x.ended.isDone()).singleElement()
                    .satisfies(x -> assertThat(x.received).containsExactly("still here"));
        }
    }

    @Test
    void anOversizeFrameIsRefusedWithAnAbortAndCode1009() throws Exception {
        RpcServer s = serve(options().maxMessageSize(1000));
        try (RawSocket ws = RawSocket.open(clientVertx, s.uri())) {
            ws.socket.writeTextMessage("ok");
            assertThat(ws.next()).isEqualTo("echo:ok");
            ws.socket.writeTextMessage("x".repeat(5000));
            assertThat(ws.next()).startsWith("[\"abort\",[\"error\",\"Error\",").contains("1000 bytes");
            assertThat(ws.awaitClose()).isEqualTo(WebSocketTransport.MESSAGE_TOO_BIG);
            assertThat(engine.sessions.get(0).received).containsExactly("ok");
        }
    }

    @Test
    void anOversizeFragmentedMessageIsRefusedBeforeItIsWhole() throws Exception {
        RpcServer s = serve(options().maxMessageSize(1000));
        try (RawSocket ws = RawSocket.open(clientVertx, s.uri())) {
            ws.socket.writeFrame(WebSocketFrame.textFrame("y".repeat(600), false));
            ws.socket.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("y".repeat(600)), false));
            assertThat(ws.next()).startsWith("[\"abort\"").contains("larger than the limit of 1000 bytes");
            assertThat(ws.awaitClose()).isEqualTo(WebSocketTransport.MESSAGE_TOO_BIG);
            awaitSessions(1);
            assertThat(engine.sessions.get(0).received).isEmpty();
        }
    }

    @Test
    void aDroppedSocketEndsTheSessionWithTheCloseCode() throws Exception {
        RpcServer s = serve(options());
        RawSocket ws = RawSocket.open(clientVertx, s.uri());
        ws.socket.writeTextMessage("hi");
        ws.next();
        ws.socket.close((short) 4000, "bye");
        Throwable cause = engine.sessions.get(0).ended.get(5, TimeUnit.SECONDS);
        assertThat(cause).hasMessageContaining("4000").hasMessageContaining("bye");
        ws.close();
        awaitOpenSessions(s, 0);
    }

    @Test
    void aFailingMainFactoryRefusesTheUpgradeWithoutHarmingTheServer() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = new VertxTransportProvider().serve(ServerOptions.builder(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("no main today");
            }
            return "main";
        }).build(), engine);
        // The factory runs before the upgrade is answered, so the upgrade itself is refused.
        assertThatThrownBy(() -> RawSocket.open(clientVertx, server.uri()))
                .hasRootCauseInstanceOf(io.vertx.core.http.UpgradeRejectedException.class)
                .rootCause().hasMessageContaining("500");
        assertThat(engine.sessions).isEmpty();
        try (RawSocket second = RawSocket.open(clientVertx, server.uri())) {
            second.socket.writeTextMessage("x");
            assertThat(second.next()).isEqualTo("echo:x");
        }
    }

    @Test
    void anIdleWebSocketIsClosedWithoutPings() throws Exception {
        RpcServer s = serve(options().idleTimeout(Duration.ofMillis(300)).pingInterval(Duration.ZERO));
        try (RawSocket ws = RawSocket.open(clientVertx, s.uri())) {
            ws.socket.writeTextMessage("x");
            ws.next();
            assertThat(ws.awaitClose()).isNotNull();
            assertThat(engine.sessions.get(0).ended.get(5, TimeUnit.SECONDS)).hasMessageContaining("code 1006");
        }
    }

    @Test
    void aBatchPostIsAnsweredWithTheEnginesResponse() throws Exception {
        RpcServer s = serve(options().batchResponseHeader("Access-Control-Allow-Origin", "*"));
        Response r = request(HttpMethod.POST, s.uri(), "[\"push\",1]\n[\"pull\",1]");
        assertThat(r.status).isEqualTo(200);
        assertThat(r.body).isEqualTo("batch:[\"push\",1]:main1\nbatch:[\"pull\",1]:main1");
        assertThat(r.head.getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(request(HttpMethod.POST, s.uri(), "").body).isEmpty();
    }

    @Test
    void anHttp2ConnectionGivesBackItsPlaceUnderTheConnectionLimit() throws Exception {
        // Vert.x serves HTTP/2 in clear text, reached by upgrading an HTTP/1.1 connection or by
        // starting with HTTP/2's preface; either connection must give back its place once closed.
        RpcServer s = serve(options().maxConnections(1));
        for (boolean upgrade : new boolean[] {true, false, true, false}) {
            String way = upgrade ? "upgraded" : "prior knowledge";
            HttpClientAgent h2 = clientVertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(upgrade));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                HttpVersion served = null;
                while (served == null && System.nanoTime() < deadline) {
                    try {
                        served = h2.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(
                                s.uri().toString())).compose(req -> req.send("[\"pull\",1]"))
                                .compose(resp -> resp.body().map(b -> resp.version()))
                                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        Thread.sleep(20); // the last connection's close may not have reached the server yet
                    }
                }
                assertThat(served).as("a batch over HTTP/2 (%s) within the limit", way).isEqualTo(HttpVersion.HTTP_2);
            } finally {
                h2.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBatchTheEngineFailsGets500WithoutDetails() throws Exception {
        RpcServer s = serve(options());
        Response r = request(HttpMethod.POST, s.uri(), "fail");
        assertThat(r.status).isEqualTo(500);
        assertThat(r.body).doesNotContain("secret").doesNotContain("at capnweb");
    }

    @Test
    void otherMethodsGet405AndPreflightIsAnswered() throws Exception {
        RpcServer s = serve(options().batchResponseHeader("Access-Control-Allow-Origin", "https://example.com"));
        Response get = request(HttpMethod.GET, s.uri(), null);
        assertThat(get.status).isEqualTo(405);
        assertThat(get.head.getHeader("Allow")).contains("POST");
        assertThat(get.body).contains("only accepts POST");
        assertThat(request(HttpMethod.PUT, s.uri(), "x").status).isEqualTo(405);

        Response pre = request(HttpMethod.OPTIONS, s.uri(), null,
                "Origin", "https://example.com", "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type");
        assertThat(pre.status).isEqualTo(204);
        assertThat(pre.head.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://example.com");
        assertThat(pre.head.getHeader("Access-Control-Allow-Methods")).contains("POST");
        assertThat(pre.head.getHeader("Access-Control-Allow-Headers")).isEqualTo("content-type");
        assertThat(engine.engineThreads).isEmpty();
    }

    @Test
    void anOtherPathGets404() throws Exception {
        RpcServer s = serve(options().path("/api"));
        assertThat(s.uri().getPath()).isEqualTo("/api");
        assertThat(request(HttpMethod.POST, s.uri().resolve("/rpc"), "x").status).isEqualTo(404);
        assertThat(request(HttpMethod.POST, s.uri(), "x").status).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitGets413BeforeTheEngineSeesIt() throws Exception {
        RpcServer s = serve(options().maxMessageSize(100));
        Response declared = request(HttpMethod.POST, s.uri(), "z".repeat(101));
        assertThat(declared.status).isEqualTo(413);
        assertThat(declared.body).contains("100 bytes");

        // chunked: no declared length, refused while it streams
        Response chunked = http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(s.uri().toString()))
                .compose(req -> {
                    req.setChunked(true);
                    req.write("z".repeat(80));
                    req.write("z".repeat(80));
                    return req.end().compose(v -> req.response());
                })
                .compose(resp -> resp.body().map(b -> new Response(resp, b.toString())))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(chunked.status).isEqualTo(413);
        assertThat(engine.engineThreads).isEmpty();
        assertThat(request(HttpMethod.POST, s.uri(), "fits").status).isEqualTo(200);
    }

    @Test
    void aClientExpectingContinueIsRefusedBeforeItSendsAnOversizeBody() throws Exception {
        RpcServer s = serve(options().maxMessageSize(100));
        java.util.concurrent.atomic.AtomicBoolean continued = new java.util.concurrent.atomic.AtomicBoolean();
        int status = http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(s.uri().toString()))
                .compose(req -> {
                    req.putHeader("Expect", "100-continue").putHeader("Content-Length", "5000");
                    req.continueHandler(v -> continued.set(true));
                    req.writeHead();
                    return req.response();
                })
                .map(HttpClientResponse::statusCode)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(413);
        assertThat(continued).isFalse();

        Response fits = request(HttpMethod.POST, s.uri(), "ok", "Expect", "100-continue");
        assertThat(fits.status).isEqualTo(200);
        assertThat(fits.body).isEqualTo("batch:ok:main1");
    }

    @Test
    void closingTheServerClosesEverySessionWithACloseFrame() throws Exception {
        RpcServer s = serve(options());
        RawSocket a = RawSocket.open(clientVertx, s.uri());
        RawSocket b = RawSocket.open(clientVertx, s.uri());
        a.socket.writeTextMessage("1");
        b.socket.writeTextMessage("2");
        a.next();
        b.next();
        assertThat(s.openSessions()).isEqualTo(2);

        assertThat(s.close(Duration.ofSeconds(5))).isTrue();
        assertThat(a.awaitClose()).isEqualTo((short) 1000);
        assertThat(b.awaitClose()).isEqualTo((short) 1000);
        assertThat(s.openSessions()).isZero();
        a.close();
        b.close();
        assertThat(s.close(Duration.ofSeconds(1))).isTrue();
        server = null;
    }

    private void awaitSessions(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (engine.sessions.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(engine.sessions).hasSizeGreaterThanOrEqualTo(n);
    }

    static void awaitOpenSessions(RpcServer s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (s.openSessions() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(s.openSessions()).isEqualTo(n);
    }
}
