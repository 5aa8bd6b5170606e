package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults and hostile peers over a real transport: connections that die mid-call, a server that
 * stops under live sessions, a peer that aborts, a target that hogs its thread, a peer that never
 * reads, and what errors show on the wire. A transport's test extends this class and returns its
 * provider; everything runs on 127.0.0.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportHardeningTest extends HardeningSupport {

    /** What a rejection says after the connection died under it. */
    private static final String CONNECTION_LOST = "(?is).*connection was lost.*";

    @Test
    void abruptDisconnectRejectsPendingCallsAndReleasesBothSides() throws Exception {
        RpcServer server = startServer(b -> b);
        TcpProxy proxy = TcpProxy.to(server.port());
        resources.add(proxy);
        HardeningTargets.ClientObject mine = new HardeningTargets.ClientObject();
        RpcSession session = connect(webSocketUri(proxy.port(), server), ClientOptions.defaults());
        RpcStub main = session.main();
        RpcStub resource = main.call("openResource");
        assertThat(resource.call("ping").join(WAIT)).isEqualTo("pong");
        assertThat(main.call("keep", mine).join(WAIT)).isEqualTo(true);
        CompletableFuture<Object> pending = main.call("hang").toCompletableFuture();
        await("the hanging call started", WAIT, () -> state.hanging.get() == 1);
        CompletableFuture<Throwable> broken = new CompletableFuture<>();
        main.onBroken(broken::complete);

        proxy.cut();

        assertThat(pending).failsWithin(WAIT).withThrowableThat().withMessageMatching(CONNECTION_LOST);
        assertThat(broken).succeedsWithin(WAIT).satisfies(e -> assertThat(e).hasMessageMatching(CONNECTION_LOST));
        assertThat(session.closed().toCompletableFuture()).failsWithin(WAIT);
        assertThatThrownBy(() -> main.call("add", 1, 2).join(WAIT)).hasMessageMatching(CONNECTION_LOST);
        // The client's object the server held is released on the client side...
        assertThat(mine.closed.await(10, TimeUnit.SECONDS)).as("client object released").isTrue();
        // ...and what the server exported, and its main object, on the server side.
        await("the server released the resource", WAIT, () -> state.resourcesClosed.get() == 1);
        await("the server closed its main object", WAIT, () -> state.mainsClosed.get() == 1);
        await("the server forgot the session", WAIT, () -> server.openSessions() == 0);
        assertNewSessionWorks(server);
    }

    @Test
    void serverStopWithLiveSessionsEndsEveryoneCleanly() throws Exception {
        RpcServer server = startServer(b -> b);
        List<CompletableFuture<Object>> pending = new ArrayList<>();
        List<RpcSession> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RpcSession s = connect(webSocketUri(server), ClientOptions.defaults());
            sessions.add(s);
            RpcStub main = s.main();
            assertThat(main.call("openResource").call("ping").join(WAIT)).isEqualTo("pong");
            pending.add(main.call("hang").toCompletableFuture());
        }
        await("every call hangs", WAIT, () -> state.hanging.get() == 5);

        long started = System.nanoTime();
        assertThat(server.close(Duration.ofSeconds(10))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));

        for (CompletableFuture<Object> p : pending) {
            assertThat(p).failsWithin(WAIT);
        }
        for (RpcSession s : sessions) {
            await("the client session ended", WAIT, () -> !s.isOpen());
        }
        await("every main object closed", WAIT, () -> state.mainsClosed.get() == 5);
        await("every resource closed", WAIT, () -> state.resourcesClosed.get() == 5);
        assertThat(server.openSessions()).isZero();
    }

    @Test
    void peerAbortEndsItsSessionWithoutAnswerAndReleasesExports() throws Exception {
        RpcServer server = startServer(b -> b);
        try (PlainWebSocket raw = PlainWebSocket.open(webSocketUri(server), 0)) {
            raw.sendText("[\"push\",[\"pipeline\",0,[\"openResource\"],[]]]");
            raw.sendText("[\"pull\",1]");
            assertThat(raw.readText(WAIT)).startsWith("[\"resolve\",1,[\"export\",");
            raw.sendText("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]");
            await("the hanging call started", WAIT, () -> state.hanging.get() == 1);

            raw.sendText("[\"abort\",[\"error\",\"Error\",\"the client is going away\"]]");

            // No answer to an abort: the next thing is the end of the connection.
            assertThat(raw.readText(WAIT)).isNull();
        }
        await("the resource closed", WAIT, () -> state.resourcesClosed.get() == 1);
        await("the main object closed", WAIT, () -> state.mainsClosed.get() == 1);
        await("the server forgot the session", WAIT, () -> server.openSessions() == 0);
        assertNewSessionWorks(server);
    }

    @Test
    void batchWhoseClientHangsUpEndsItsSession() throws Exception {
        // Vert.x notices the closed connection at once, Jetty once the idle timeout passes.
        RpcServer server = startServer(b -> b.idleTimeout(Duration.ofSeconds(1)));
        String body = "[\"push\",[\"pipeline\",0,[\"openResource\"],[]]]\n[\"push\",[\"pipeline\",0,[\"hang\"],[]]]\n"
                + "[\"pull\",2]";
        byte[] utf8 = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("POST " + server.uri().getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + utf8.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(utf8);
            socket.getOutputStream().flush();
            await("the hanging call started", WAIT, () -> state.hanging.get() == 1);
            assertThat(state.mainsClosed).hasValue(0);
        }
        // Nobody can read the answer now: the batch's session ends and lets go of what it held.
        await("the resource closed", WAIT, () -> state.resourcesClosed.get() == 1);
        await("the main object closed", WAIT, () -> state.mainsClosed.get() == 1);
        long started = System.nanoTime();
        assertThat(server.close(Duration.ofSeconds(10))).as("no batch is left in flight").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void sessionsBeyondTheLimitAreRefusedWith503UntilOneEnds() throws Exception {
        RpcServer server = startServer(b -> b.maxSessions(2));
        // One WebSocket session and one batch still being answered take both places.
        RpcSession open = connect(webSocketUri(server), ClientOptions.defaults());
        assertThat(open.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        CompletableFuture<RawHttp.Response> slowBatch = CompletableFuture.supplyAsync(
                () -> RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"block\"],[]]]\n[\"pull\",1]"));
        await("the batch's call is blocked", WAIT, () -> state.blocked.get() == 1);
        String refusal = "This Cap'n Web server is already serving as many sessions as it allows (2); "
                + "try again later.";

        assertThatThrownBy(() -> PlainWebSocket.open(webSocketUri(server), 0))
                .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 503")
                .hasMessageEndingWith("\r\n\r\n" + refusal);
        RawHttp.Response batch = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]");
        assertThat(batch.status()).isEqualTo(503);
        assertThat(batch.body()).isEqualTo(refusal);
        assertThat(provider().connect(webSocketUri(server), ClientOptions.defaults(), engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining("503")
                .withMessageContaining(refusal.substring(0, refusal.length() - 1));
        assertThat(state.mainsCreated).as("no main object for a refused session").hasValue(2);
        assertThat(open.main().call("add", 2, 2).join(WAIT)).as("the open session carries on").isEqualTo(4L);

        // The batch's answer frees its place, and a session's end frees its own.
        state.unblock.countDown();
        assertThat(slowBatch).succeedsWithin(WAIT).satisfies(r -> assertThat(r.body()).isEqualTo(
                "[\"resolve\",1,\"released\"]"));
        assertNewSessionWorks(server);
        open.close();
        await("the server forgot the session", WAIT, () -> server.openSessions() == 0);
        RpcSession second = connect(webSocketUri(server), ClientOptions.defaults());
        RpcSession third = connect(webSocketUri(server), ClientOptions.defaults());
        assertThat(second.main().call("add", 1, 1).join(WAIT)).isEqualTo(2L);
        assertThat(third.main().call("add", 1, 1).join(WAIT)).isEqualTo(2L);
        assertThatThrownBy(() -> PlainWebSocket.open(webSocketUri(server), 0))
                .hasMessageStartingWith("The server refused the WebSocket upgrade: HTTP/1.1 503");
    }

    @Test
    void aBatchBeyondTheLimitGetsIts503AtOnceAndNotAReset() throws Exception {
        RpcServer server = startServer(b -> b.maxSessions(1));
        RpcSession open = connect(webSocketUri(server), ClientOptions.defaults());
        assertThat(open.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);

        // A body announced and never sent: the answer cannot wait for it, nor ask for it with
        // 100 Continue.
        assertThat(RawHttp.statusesOfUnsentBodies(server.uri(), WAIT))
                .containsExactly("HTTP/1.1 503", "HTTP/1.1 503");
        // A body sent whole, more than one read of it: the client gets the answer, not a reset of a
        // connection closed with the body unread.
        byte[] body = new byte[512 * 1024];
        java.util.Arrays.fill(body, (byte) ' ');
        for (int i = 0; i < 20; i++) {
            assertThat(RawHttp.postBytes(server.uri(), body).status()).as("attempt %d", i).isEqualTo(503);
        }
        assertThat(open.main().call("add", 2, 2).join(WAIT)).as("the open session carries on").isEqualTo(4L);
    }

    @Test
    void connectionsBeyondTheLimitAreNotServedUntilOneCloses() throws Exception {
        RpcServer server = startServer(b -> b.maxConnections(2));
        // Jetty warns as the limit is reached, Vert.x as it refuses a connection beyond it.
        CapturedWarnings warnings = new CapturedWarnings();
        resources.add(warnings);
        // A WebSocket session and a connection kept alive after its batch take both places.
        RpcSession open = connect(webSocketUri(server), ClientOptions.defaults());
        assertThat(open.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        Socket keptAlive = new Socket(server.uri().getHost(), server.uri().getPort());
        resources.add(keptAlive);
        assertThat(addOneAndTwo(server, keptAlive, WAIT)).as("the kept-alive connection's batch").isTrue();

        // Jetty does not accept a third connection, Vert.x closes it: either way it is not served,
        // and the operator is told why.
        try (Socket third = new Socket(server.uri().getHost(), server.uri().getPort())) {
            assertThat(addOneAndTwo(server, third, Duration.ofSeconds(1))).as("a connection beyond the limit").isFalse();
            assertThat(warnings.contains("the limit set by ServerOptions.maxConnections")
                    || warnings.contains("limit of 2 connections, set by ServerOptions.maxConnections"))
                    .as("a warning names the option").isTrue();
        }
        assertThat(open.main().call("add", 2, 2).join(WAIT)).as("the open session carries on").isEqualTo(4L);
        assertThat(addOneAndTwo(server, keptAlive, WAIT)).as("the kept-alive connection carries on").isTrue();

        // A connection that closes gives its place back, a WebSocket's as a batch's.
        keptAlive.close();
        await("a new connection is served", WAIT, () -> addOneAndTwoOnANewConnection(server));
        open.close();
        await("the server forgot the session", WAIT, () -> server.openSessions() == 0);
        await("two new connections are served at once", WAIT, () -> {
            try (Socket first = new Socket(server.uri().getHost(), server.uri().getPort());
                    Socket second = new Socket(server.uri().getHost(), server.uri().getPort())) {
                return addOneAndTwo(server, first, Duration.ofSeconds(1)) && addOneAndTwo(server, second, Duration.ofSeconds(1));
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    @Test
    void requestsOffThePathOrUnreadableAreAnsweredInASentenceThatNamesNoSoftware() throws Exception {
        RpcServer server = startServer(b -> b);
        List<RawHttp.Response> answers = new ArrayList<>();
        RawHttp.Response batch = RawHttp.overSocket("POST", server.uri(),
                "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]");
        assertThat(batch.body()).isEqualTo("[\"resolve\",1,3]");
        answers.add(batch);

        RawHttp.Response elsewhere = RawHttp.overSocket("GET", server.uri().resolve("/elsewhere"), "");
        assertThat(elsewhere.status()).isEqualTo(404);
        assertThat(elsewhere.body()).isEqualTo("Not found: Cap'n Web is served at " + server.uri().getPath() + ".");
        answers.add(elsewhere);
        // Above both servers' 8 KiB limit on a request's head.
        RawHttp.Response tooLarge = RawHttp.overSocket("GET", server.uri(), "", "X-Large: " + "a".repeat(20_000) + "\r\n");
        assertThat(tooLarge.status()).isEqualTo(431);
        assertThat(tooLarge.body())
                .isEqualTo("The request's headers are larger than this server takes; send fewer or smaller ones.");
        answers.add(tooLarge);
        RawHttp.Response unparsable = RawHttp.overSocket("GET", server.uri(), "", "Not a header\r\n");
        assertThat(unparsable.status()).isEqualTo(400);
        assertThat(unparsable.body()).startsWith("The server could not read this HTTP request (status 400)");
        answers.add(unparsable);

        for (RawHttp.Response answer : answers) {
            assertThat(answer.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(answer.header("Server")).as("a header naming the server's software").isEmpty();
            assertThat(answer.body()).doesNotContainIgnoringCase("jetty").doesNotContainIgnoringCase("netty")
                    .doesNotContainIgnoringCase("vert.x").doesNotContain("<html");
        }
    }

    private static boolean addOneAndTwoOnANewConnection(RpcServer server) {
        try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
            return addOneAndTwo(server, socket, Duration.ofSeconds(1));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Sends a batch adding 1 and 2 to {@code server} on a connection, keeping it alive.
     *
     * @return whether its answer came within {@code timeout}; false if the connection was closed,
     *     reset or silent
     */
    private static boolean addOneAndTwo(RpcServer server, Socket socket, Duration timeout) {
        byte[] body = "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]".getBytes(StandardCharsets.UTF_8);
        String answer = "[\"resolve\",1,3]";
        StringBuilder read = new StringBuilder();
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            var out = socket.getOutputStream();
            out.write(RawHttp.batchHead(server.uri(), "Content-Length: " + body.length));
            out.write(body);
            out.flush();
            byte[] buffer = new byte[4096];
            while (read.indexOf(answer) < 0) {
                int n = socket.getInputStream().read(buffer);
                if (n < 0) {
                    return false;
                }
                read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            return read.toString().startsWith("HTTP/1.1 200");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aClientThatReadItsBatchAnswerMayStartItsNextSessionAtOnce() {
        // The place of a batch is free by the time its client has the answer, so a client making
        // one session after another never meets the limit.
        RpcServer server = startServer(b -> b.maxSessions(1));
        for (int i = 0; i < 300; i++) {
            RawHttp.Response batch = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"add\"],[" + i + ",1]]]\n[\"pull\",1]");
            assertThat(batch.status()).as("batch %d: %s", i, batch.body()).isEqualTo(200);
            assertThat(batch.body()).isEqualTo("[\"resolve\",1," + (i + 1) + "]");
        }
        assertNewSessionWorks(server);
    }

    @Test
    void aQuietClientThatAnswersPingsKeepsItsSession() throws Exception {
        // Pings every 250 ms (half the idle timeout); the client's WebSocket answers them itself.
        RpcServer server = startServer(b -> b.idleTimeout(Duration.ofMillis(500)));
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        assertThat(session.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);

        Thread.sleep(2_000);

        assertThat(session.isOpen()).isTrue();
        assertThat(session.main().call("add", 2, 2).join(WAIT)).isEqualTo(4L);
        assertThat(state.mainsClosed).hasValue(0);
    }

    @Test
    void aPeerThatAnswersNothingIsDroppedAfterTheIdleTimeout() throws Exception {
        RpcServer server = startServer(b -> b.idleTimeout(Duration.ofMillis(500)));
        try (PlainWebSocket silent = PlainWebSocket.open(webSocketUri(server), 0)) {
            long opened = System.nanoTime();
            await("the session started", WAIT, () -> state.mainsCreated.get() == 1);
            // It never reads again, so it answers no ping.
            await("the server dropped the silent peer", WAIT, () -> state.mainsClosed.get() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
            await("the server forgot the session", WAIT, () -> server.openSessions() == 0);
        }
        assertNewSessionWorks(server);
    }

    @Test
    void aTextMessageThatIsNotUtf8ClosesTheWebSocketWith1007() throws Exception {
        RpcServer server = startServer(b -> b);
        try (PlainWebSocket peer = PlainWebSocket.open(webSocketUri(server), 0)) {
            peer.sendRaw(PlainWebSocket.frame(0x81, new byte[] {'[', '"', (byte) 0xff, '"', ']'}, true));
            assertThat(peer.readCloseCode(WAIT)).as("RFC 6455, 8.1: invalid UTF-8 fails the connection").isEqualTo(1007);
        }
        await("the server forgot the session", WAIT, () -> server.openSessions() == 0);
        assertNewSessionWorks(server);
    }

    /** A server that breaks the rules, and what a client's error must say of it. */
    private record RuleBreaker(String what, boolean webSocket, byte[] sends, String errorPattern) {
    }

    @Test
    void aClientFacingAServerThatBreaksTheRulesFailsItsCallAtOnceWithASentence() throws Exception {
        byte[] tooLarge = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        byte[] notUtf8 = {'[', '"', (byte) 0xff, '"', ']'};
        List<RuleBreaker> servers = List.of(
                new RuleBreaker("a text frame that is not UTF-8", true, PlainWebSocket.frame(0x81, notUtf8, false),
                        "(?is).*UTF-8.*"),
                new RuleBreaker("a frame beyond the client's limit", true, PlainWebSocket.frame(0x81, tooLarge, false),
                        "(?is).*(limit|maximum size).*"),
                new RuleBreaker("a binary frame", true,
                        PlainWebSocket.frame(0x82, "[\"resolve\",1,3]".getBytes(StandardCharsets.UTF_8), false),
                        "(?is).*binary.*"),
                new RuleBreaker("a batch response beyond the client's limit", false,
                        httpAnswer("x".repeat(250_000).getBytes(StandardCharsets.US_ASCII)),
                        "(?s).*larger than 196608 bytes, three times SessionOptions.maxMessageSize.*"),
                new RuleBreaker("a batch response that is not UTF-8", false, httpAnswer(notUtf8),
                        "The Cap'n Web batch response from http://\\S+ is not UTF-8\\."),
                new RuleBreaker("a batch response cut short", false,
                        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[\"resolve\"".getBytes(StandardCharsets.US_ASCII),
                        "The Cap'n Web batch request to \\S+ failed: the server closed the connection before its "
                                + "whole response arrived\\."),
                new RuleBreaker("a batch response that is not HTTP", false,
                        "HELLO there\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                        "The Cap'n Web batch request to \\S+ failed: the server's response is not valid HTTP\\."),
                new RuleBreaker("a batch response that is not JSON", false,
                        httpAnswer("{nope".getBytes(StandardCharsets.UTF_8)),
                        "Malformed JSON message: not valid JSON at line 1 column 3 path \\$\\."));
        ClientOptions limited = ClientOptions.builder()
                .sessionOptions(SessionOptions.builder().maxMessageSize(64 * 1024).build()).build();
        for (RuleBreaker breaker : servers) {
            try (RawServer server = breaker.webSocket() ? RawServer.webSocketSending(breaker.sends())
                    : RawServer.answeringHttp(breaker.sends())) {
                RpcSession session = connect(breaker.webSocket() ? server.uri() : server.httpUri(), limited);
                assertThatThrownBy(() -> session.main().call("add", 1, 2).join(WAIT)).as(breaker.what())
                        .hasMessageMatching(breaker.errorPattern())
                        .satisfies(e -> assertThat(e.getMessage()).as("names no object of the HTTP library")
                                .doesNotContainPattern("@[0-9a-f]{6,}"));
            }
        }
    }

    @Test
    void anUpgradeAnswerThatIsNotValidHttpIsNotReportedAsARefusal() throws Exception {
        // 101s with headers HTTP forbids: whatever the client makes of them, the server refused nothing.
        List<String> answers = List.of(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: %s\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: %s\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: %s\r\nBad Header Name: x\r\n\r\n");
        for (String answer : answers) {
            try (RawServer server = RawServer.webSocketAnswering(
                    accept -> String.format(answer, accept).getBytes(StandardCharsets.US_ASCII), 0, new byte[0])) {
                CompletableFuture<RpcSession> connecting = provider().connect(server.uri(), ClientOptions.defaults(),
                        engine()).toCompletableFuture();
                Throwable failure = connecting.handle((session, e) -> {
                    if (session != null) {
                        session.close();
                    }
                    return e;
                }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (failure != null) {
                    // Each transport may accept some of these; one that fails must not blame the server.
                    assertThat(failure.getMessage()).as(answer)
                            .matches("Could not open a WebSocket to ws://\\S+: (?!the WebSocket upgrade was refused).*\\.")
                            .doesNotContainPattern("@[0-9a-f]{6,}");
                }
            }
        }
    }

    /** A 200 answer with this body. */
    private static byte[] httpAnswer(byte[] body) {
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        answer.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        answer.writeBytes(body);
        return answer.toByteArray();
    }

    /**
     * A listener that never accepts, its queue full: Linux then drops each new SYN, so connecting
     * to it hangs as it does to a host that is down.
     */
    private static final class Unanswering implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 1,
                InetAddress.getLoopbackAddress());
        private final List<Socket> queued = new ArrayList<>();

        Unanswering() throws java.io.IOException {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket();
                try {
                    s.connect(listener.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return;
                }
                queued.add(s);
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            for (Socket s : queued) {
                s.close();
            }
            listener.close();
        }
    }

    @Test
    void aConnectTimeoutLongerThanTheHttpLibrarysOwnIsHonoured() throws Exception {
        try (Unanswering unanswering = new Unanswering()) {
            CompletableFuture<?> connecting = provider().connect(
                    URI.create("ws://127.0.0.1:" + unanswering.port() + "/rpc"),
                    ClientOptions.builder().connectTimeout(Duration.ofSeconds(6)).build(), engine()).toCompletableFuture();

            // Jetty's own connect timeout is 5 s.
            Thread.sleep(5_500);
            assertThat(connecting).as("still connecting within the 6 s asked for").isNotDone();
            connecting.cancel(true);
        }
    }

    @Test
    void bothKindsOfClientGiveUpConnectingAfterTheConnectTimeout() throws Exception {
        try (Unanswering unanswering = new Unanswering()) {
            ClientOptions impatient = ClientOptions.builder().connectTimeout(Duration.ofMillis(300)).build();
            String http = "http://127.0.0.1:" + unanswering.port() + "/rpc";

            long started = System.nanoTime();
            assertThat(provider().connect(URI.create(http.replace("http", "ws")), impatient, engine())
                    .toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                    .withMessageContaining("ws://127.0.0.1:" + unanswering.port());
            RpcSession batch = connect(URI.create(http), impatient);
            assertThat(batch.main().call("add", 1, 2).toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                    .withMessageContaining("The Cap'n Web batch request to " + http + " failed")
                    .withMessageContaining("300 ms");

            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("both gave up after 300 ms, not Jetty's "
                    + "or Netty's own timeout").isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientWithKeepaliveLetsGoOfAServerThatFellSilent() throws Exception {
        try (RawServer silent = RawServer.silentWebSocket()) {
            RpcSession session = connect(silent.uri(), ClientOptions.builder()
                    .keepalive(Duration.ofMillis(200), Duration.ofMillis(600)).build());
            long started = System.nanoTime();
            CompletableFuture<Object> call = session.main().call("add", 1, 2).toCompletableFuture();

            assertThat(call).failsWithin(WAIT).withThrowableThat().withMessageMatching(CONNECTION_LOST)
                    .withMessageContaining("The WebSocket peer sent nothing, not even an answer to a ping, for 600 ms "
                            + "(ClientOptions.keepalive), so its connection was dropped.");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(550));
            await("the session ended", WAIT, () -> !session.isOpen());
        }
    }

    @Test
    void withoutKeepaliveAClientWaitsOnAServerThatFellSilent() throws Exception {
        try (RawServer silent = RawServer.silentWebSocket()) {
            RpcSession session = connect(silent.uri(), ClientOptions.defaults());
            CompletableFuture<Object> call = session.main().call("add", 1, 2).toCompletableFuture();
            Thread.sleep(1_500);
            assertThat(call).isNotDone();
            assertThat(session.isOpen()).isTrue();
        }
    }

    @Test
    void withoutPingsAQuietSessionIsClosedAfterTheIdleTimeout() throws Exception {
        RpcServer server = startServer(b -> b.idleTimeout(Duration.ofMillis(500)).pingInterval(Duration.ZERO));
        RpcSession session = connect(webSocketUri(server), ClientOptions.defaults());
        assertThat(session.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        await("the quiet session was closed", WAIT, () -> !session.isOpen());
        await("the server closed its main object", WAIT, () -> state.mainsClosed.get() == 1);
    }

    @Test
    void targetsHoggingTheirThreadsDoNotStopOtherSessions() throws Exception {
        RpcServer server = startServer(b -> b);
        int hogs = 2 * Runtime.getRuntime().availableProcessors() + 2;
        List<CompletableFuture<Object>> blocked = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            RpcSession s = connect(webSocketUri(server), ClientOptions.defaults());
            blocked.add(s.main().call("block").toCompletableFuture());
        }
        await("every hog is blocking a thread", WAIT, () -> state.blocked.get() == hogs);

        RpcSession other = connect(webSocketUri(server), ClientOptions.defaults());
        RpcStub main = other.main();
        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertThat(main.call("add", i, 1).join(WAIT)).isEqualTo(i + 1L);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        RawHttp.Response batch = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"add\"],[2,3]]]\n[\"pull\",1]");
        assertThat(batch.body()).isEqualTo("[\"resolve\",1,5]");
        assertThat(blocked).allSatisfy(f -> assertThat(f).isNotDone());

        state.unblock.countDown();
        for (CompletableFuture<Object> f : blocked) {
            assertThat(f).succeedsWithin(WAIT).isEqualTo("released");
        }
    }

    @Test
    void peerOverASessionBoundIsAbortedNamingItWhileOthersCarryOn() throws Exception {
        RpcServer server = startServer(b -> b.sessionOptions(SessionOptions.builder().maxExports(10).build()));
        RpcSession bystander = connect(webSocketUri(server), ClientOptions.defaults());
        RpcStub main = bystander.main();
        assertThat(main.call("add", 1, 1).join(WAIT)).isEqualTo(2L);
        try (PlainWebSocket raw = PlainWebSocket.open(webSocketUri(server), 0)) {
            for (int i = 0; i < 20; i++) {
                raw.sendText("[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]");
            }
            String abort = raw.readText(WAIT);
            assertThat(abort).startsWith("[\"abort\",[\"error\",\"Error\",")
                    .contains("export table exceeded its limit of 10 entries").contains("maxExports(n)");
            assertNoStackTrace(abort);
            assertThat(raw.readText(WAIT)).as("the connection closes after the abort").isNull();
        }
        await("the aborted session's main object closed", WAIT, () -> state.mainsClosed.get() == 1);
        assertThat(main.call("add", 2, 2).join(WAIT)).isEqualTo(4L);
        assertThat(bystander.isOpen()).isTrue();
    }

    @Test
    void thrownErrorsReachTheWireWithoutAStackByDefault() throws Exception {
        RpcServer server = startServer(b -> b);
        try (PlainWebSocket raw = PlainWebSocket.open(webSocketUri(server), 0)) {
            raw.sendText("[\"push\",[\"pipeline\",0,[\"fail\"],[]]]");
            raw.sendText("[\"pull\",1]");
            String reject = raw.readText(WAIT);
            assertThat(reject).isEqualTo("[\"reject\",1,[\"error\",\"Error\",\"boom\"]]");
            raw.sendText("[\"push\",[\"pipeline\",0,[\"nothing\"],[]]]");
            raw.sendText("[\"pull\",2]");
            assertThat(raw.readText(WAIT)).isEqualTo(
                    "[\"reject\",2,[\"error\",\"TypeError\",\"'nothing' is not a function.\"]]");
            raw.sendText("[\"push\",[\"pipeline\",0,[\"add\"],[\"not a number\",1]]]");
            raw.sendText("[\"pull\",3]");
            String badArgument = raw.readText(WAIT);
            assertThat(badArgument).startsWith("[\"reject\",3,[\"error\",");
            assertNoStackTrace(badArgument);
            raw.sendText("not json at all");
            String abort = raw.readText(WAIT);
            assertThat(abort).startsWith("[\"abort\",");
            assertNoStackTrace(abort);
        }
        RawHttp.Response batch = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"fail\"],[]]]\n[\"pull\",1]");
        assertThat(batch.body()).isEqualTo("[\"reject\",1,[\"error\",\"Error\",\"boom\"]]");
    }

    @Test
    void onSendErrorCanAskForTheStack() throws Exception {
        SessionOptions withStacks = SessionOptions.builder().onSendError(Optional::of).build();
        RpcServer server = startServer(b -> b.sessionOptions(withStacks));
        try (PlainWebSocket raw = PlainWebSocket.open(webSocketUri(server), 0)) {
            raw.sendText("[\"push\",[\"pipeline\",0,[\"fail\"],[]]]");
            raw.sendText("[\"pull\",1]");
            String reject = raw.readText(WAIT);
            assertThat(reject).startsWith("[\"reject\",1,[\"error\",\"Error\",\"boom\",\"")
                    .contains("HardeningTargets");
        }
    }

    @Test
    @SuppressWarnings("try") // the stalled connection must stay open, unread, while a new session is tried
    void peerThatNeverReadsIsCutOffAtTheQueueLimit() throws Exception {
        RpcServer server = startServer(b -> b.sessionOptions(SessionOptions.builder().maxQueuedBytes(1024 * 1024).build()));
        try (PlainWebSocket stalled = fillTheQueueOfAPeerThatNeverReads(server)) {
            assertNewSessionWorks(server);
        }
    }

    @Test
    void connectionOfAnAbortedPeerThatNeverReadsIsDroppedAfterTheGracePeriod() throws Exception {
        RpcServer server = startServer(b -> b.sessionOptions(SessionOptions.builder().maxQueuedBytes(1024 * 1024).build()));
        try (PlainWebSocket raw = fillTheQueueOfAPeerThatNeverReads(server)) {
            long aborted = System.nanoTime();
            await("the server dropped the connection", Duration.ofSeconds(15), () -> server.openSessions() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - aborted)).isLessThan(abortGrace().plusSeconds(3));
            // The client side sees the connection end.
            assertThat(raw.awaitEndOfStream(Duration.ofSeconds(10))).isTrue();
        }
    }

    /**
     * How long the transport lets an aborted peer take the close frame before it drops the
     * connection.
     *
     * @return the grace period; 5 seconds unless the transport says otherwise
     */
    protected Duration abortGrace() {
        return Duration.ofSeconds(5);
    }

    /**
     * Opens a connection that never reads and asks for far more than {@code server}'s queue
     * limit (which must be 1 MiB); returns once the server aborted the session.
     *
     * @param server a server whose sessions have {@code maxQueuedBytes} of 1 MiB
     * @return the connection, still open on the client side and never read
     * @throws Exception if the connection fails
     */
    protected PlainWebSocket fillTheQueueOfAPeerThatNeverReads(RpcServer server) throws Exception {
        int chunk = 128 * 1024;
        int calls = 128;
        PlainWebSocket raw = PlainWebSocket.open(webSocketUri(server), 4096);
        try {
            for (int i = 1; i <= calls; i++) {
                raw.sendText("[\"push\",[\"pipeline\",0,[\"text\"],[" + chunk + "]]]");
                raw.sendText("[\"pull\"," + i + "]");
            }
            // Never reading, the peer lets the server's queue grow until the limit aborts the session.
            await("the session was aborted", Duration.ofSeconds(20), () -> state.mainsClosed.get() == 1);
            assertThat(state.textCalls.get()).as("calls served before the abort").isLessThan(calls);
            return raw;
        } catch (Exception | Error e) {
            raw.close();
            throw e;
        }
    }
}
