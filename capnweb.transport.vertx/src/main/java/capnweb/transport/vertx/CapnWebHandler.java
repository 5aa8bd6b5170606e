package capnweb.transport.vertx;

import capnweb.api.RpcHeaders;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import capnweb.api.spi.Keepalive;
import capnweb.api.spi.MainFactory;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.ServerLimit;
import capnweb.api.spi.TransportText;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Serves Cap'n Web from a Vert.x HTTP server: WebSocket upgrades become WebSocket sessions, POSTs
 * become HTTP batch sessions, each with a fresh main object from the options' factory.
 *
 * <p>Mount it on a server of your own, on the path of your choice:
 * <pre>{@code
 * ServerOptions options = ServerOptions.builder(MyApi::new).build();
 * CapnWebHandler capnweb = CapnWebVertx.handler(options);
 * vertx.createHttpServer(new HttpServerOptions()
 *         .setMaxWebSocketFrameSize(options.maxMessageSize())
 *         .setMaxWebSocketMessageSize(options.maxMessageSize()))
 *     .requestHandler(req -> {
 *         if (req.path().equals("/rpc")) capnweb.handle(req); else myOtherRoutes(req);
 *     })
 *     .listen(8080);
 * }</pre>
 * As a request handler it answers WebSocket upgrades, batch POSTs, CORS preflight
 * ({@code OPTIONS}) and refuses every other method with 405. {@link #batchHandler()} and
 * {@link #webSocketHandler()} serve one kind only, e.g. for {@code HttpServer.webSocketHandler}.
 *
 * <p>Of the options it uses the main factory, the session options, {@code maxMessageSize},
 * {@code maxSessions}, the batch response headers, and {@code pingInterval} with
 * {@code idleTimeout} to ping each WebSocket peer and drop one that answers nothing for that long;
 * the host, port, path and the connections' own idle timeout belong to your server. Netty refuses WebSocket frames larger than the server's
 * {@code maxWebSocketFrameSize} (64 KiB by default) before this handler sees them: raise it to
 * {@code maxMessageSize} on your {@code HttpServerOptions}, since browsers and Node send each
 * message as one frame.
 *
 * <p>Threading: the handlers run on the event loop and only move bytes; the main factory and the
 * engine run on Vert.x worker threads, except that with {@code SessionOptions.directExecutor()}
 * a batch runs on the event loop, main factory included, as such a WebSocket session's messages
 * and its main factory do. An asynchronous factory ({@code ServerOptions.builderWithRequestAsync})
 * is called on the event loop, and what follows its stage runs back on the event loop. The factory
 * runs before an upgrade is answered, so that a {@link capnweb.api.SessionRefusedException}
 * becomes the upgrade's answer. Thread-safe.
 */
public final class CapnWebHandler implements Handler<HttpServerRequest> {
    private static final System.Logger LOG = System.getLogger(CapnWebHandler.class.getName());
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String ALLOW = "POST, OPTIONS";
    /** How much of a refused body is read and dropped before the connection is closed instead. */
    private static final long DISCARD_LIMIT = 4L * 1024 * 1024;
    /** RFC 6455 close code: the server is overloaded, try again later. */
    private static final short TRY_AGAIN_LATER = 1013;
    /** RFC 6455 close code: the message (here, the session) breaks the server's policy. */
    private static final short POLICY_VIOLATION = 1008;

    private final MainFactory mainFactory;
    /** Whether each session's request is described; see {@link MainFactory#describesRequests}. */
    private final boolean describesRequests;
    private final SessionOptions sessionOptions;
    private final int maxMessageSize;
    private final Duration pingInterval;
    private final Duration idleTimeout;
    private final Map<String, String> batchHeaders;
    private final RpcEngine engine;
    private final ServerLimit sessionLimit;
    private final Map<WebSocketTransport, SessionHolder> sessions = new ConcurrentHashMap<>();
    /** One future per batch request being served, completed when its response is out. */
    private final Set<CompletableFuture<Void>> batchesInFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;
    /** Told when the socket of a connection upgraded by {@link #handle} closes; see ConnectionLimit. */
    private volatile Consumer<HttpConnection> upgradedConnectionClosed = connection -> { };

    CapnWebHandler(ServerOptions options, RpcEngine engine) {
        Objects.requireNonNull(options, "options");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.mainFactory = options.mainFactory();
        this.sessionOptions = options.sessionOptions();
        this.describesRequests = mainFactory.describesRequests(sessionOptions);
        this.maxMessageSize = options.maxMessageSize();
        this.pingInterval = options.pingInterval();
        this.idleTimeout = options.idleTimeout();
        this.batchHeaders = options.batchResponseHeaders();
        this.sessionLimit = ServerLimit.sessions(options.maxSessions());
    }

    /**
     * Answers one request on the Cap'n Web path: a WebSocket upgrade starts a WebSocket session,
     * a POST runs one batch, OPTIONS answers CORS preflight, anything else gets 405.
     *
     * @param request the request
     */
    @Override
    public void handle(HttpServerRequest request) {
        if (request.canUpgradeToWebSocket()) {
            if (request.version() != HttpVersion.HTTP_2 && refusedHandshake(request)) {
                return;
            }
            if (closing) {
                refuse(request, 503, "The server is shutting down.");
                return;
            }
            if (!sessionLimit.tryAcquire()) {
                refuse(request, 503, sessionLimit.refusal());
                return;
            }
            upgrade(request);
            return;
        }
        serveBatch(request);
    }

    /**
     * Answers an RFC 6455 upgrade that cannot succeed, before the factory runs; see
     * {@link TransportText#webSocketHandshakeRefusal}.
     *
     * @return whether the request was answered
     */
    private boolean refusedHandshake(HttpServerRequest request) {
        SessionRefusedException refusal = TransportText.webSocketHandshakeRefusal(
                request.getHeader("Sec-WebSocket-Version"), request.getHeader("Sec-WebSocket-Key"));
        if (refusal == null) {
            return false;
        }
        refuse(request, refusal);
        return true;
    }

    /**
     * The batch endpoint only: POST runs a batch, OPTIONS answers CORS preflight, anything else
     * (WebSocket upgrades included) gets 405.
     *
     * @return the handler
     */
    public Handler<HttpServerRequest> batchHandler() {
        return this::serveBatch;
    }

    /**
     * The WebSocket endpoint only, for {@code HttpServer.webSocketHandler}: each socket becomes a
     * session.
     *
     * @return the handler
     */
    public Handler<ServerWebSocket> webSocketHandler() {
        return socket -> {
            if (closing) {
                socket.close((short) 1001, "The server is shutting down.");
                return;
            }
            if (!sessionLimit.tryAcquire()) {
                socket.close(TRY_AGAIN_LATER, TransportText.closeReason(sessionLimit.refusal()));
                return;
            }
            // Already upgraded: the factory can only refuse the session by closing the socket.
            SessionRequest described;
            try {
                described = describesRequests ? describe(socket) : null;
            } catch (SessionRefusedException e) {
                startSession(socket, Future.failedFuture(e), null);
                return;
            }
            startSession(socket, makeMain(() -> described), described);
        };
    }

    /**
     * Makes the session's main object, then answers the upgrade: with 101 and a session, or with
     * the factory's refusal. The request is paused meanwhile, as Vert.x asks of an upgrade that
     * is answered later.
     */
    private void upgrade(HttpServerRequest request) {
        request.pause();
        SessionRequest described;
        try {
            described = describesRequests ? describe(request, true) : null;
        } catch (SessionRefusedException e) {
            sessionLimit.release();
            refuse(request, e);
            return;
        }
        Future<Object> main = makeMain(() -> described);
        main.onComplete(made -> {
            if (made.failed()) {
                sessionLimit.release();
                SessionRefusedException refusal = MainFactory.refusal(made.cause());
                refuse(request, refusal);
                return;
            }
            HttpConnection connection = request.connection();
            request.toWebSocket().onComplete(ar -> {
                if (ar.succeeded()) {
                    startSession(ar.result(), main, described).socketClosed()
                            .whenComplete((v, e) -> upgradedConnectionClosed.accept(connection));
                } else {
                    sessionLimit.release();
                    // Whether Vert.x still reports this connection's close is not certain now; a
                    // place given back early costs less than one never given back.
                    upgradedConnectionClosed.accept(connection);
                    MainFactory.discard(made.result());
                    LOG.log(System.Logger.Level.DEBUG, "WebSocket upgrade failed", ar.cause());
                }
            });
        });
    }

    /**
     * Runs the factory where the sessions' code may run: on a worker, or here when direct. An
     * asynchronous factory is called here, and its main object is handed back on this context.
     */
    private Future<Object> makeMain(Supplier<SessionRequest> request) {
        if (mainFactory.isAsync()) {
            Context context = Vertx.currentContext();
            CompletableFuture<Object> main = mainFactory.newMainAsync(request);
            return context == null ? Future.fromCompletionStage(main) : Future.fromCompletionStage(main, context);
        }
        Callable<Object> make = () -> mainFactory.newMain(request);
        return sessionOptions.directExecutor() ? onThisThread(make) : onWorker(make);
    }

    /**
     * Sets who is told when the WebSocket of a connection this handler upgraded closes, since
     * Vert.x no longer reports the close of a connection once it is upgraded.
     */
    void onUpgradedConnectionClosed(Consumer<HttpConnection> listener) {
        this.upgradedConnectionClosed = Objects.requireNonNull(listener, "listener");
    }

    /** @return how many WebSocket sessions are open now */
    public int openSessions() {
        return sessions.size();
    }

    /**
     * Stops accepting sessions and batch requests, closes every open WebSocket session with a
     * close frame, and lets the batch requests being served finish.
     *
     * @return a stage that completes when every socket has closed and every batch was answered
     */
    public CompletableFuture<Void> close() {
        closing = true;
        List<CompletableFuture<Void>> all = new ArrayList<>(batchesInFlight);
        for (Map.Entry<WebSocketTransport, SessionHolder> e : sessions.entrySet()) {
            WebSocketTransport t = e.getKey();
            all.add(t.socketClosed().toCompletableFuture());
            e.getValue().close(t);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Closes every socket still open without waiting for the sessions. */
    void forceClose() {
        for (WebSocketTransport t : sessions.keySet()) {
            t.close();
        }
    }

    /**
     * Starts the session of a socket that took a place of the session limit, given back at its
     * end, once its main object is made; a failed main refuses the session.
     *
     * @param described the upgrade request for the session, or null if it is not described
     */
    private WebSocketTransport startSession(WebSocketBase socket, Future<Object> main, SessionRequest described) {
        WebSocketTransport transport = new WebSocketTransport(socket, maxMessageSize,
                Keepalive.of(pingInterval, idleTimeout).orElse(null));
        transport.startKeepalive();
        SessionHolder holder = new SessionHolder();
        sessions.put(transport, holder);
        transport.socketClosed().whenComplete((v, e) -> {
            sessions.remove(transport);
            sessionLimit.release();
        });
        main.compose(made -> onWorker(() -> {
            RpcSession session = engine.newSession(transport, made, sessionOptions, described);
            // On the worker too: closing a session the server no longer wants may take a while.
            holder.set(session, transport, closing);
            return session;
        })).onComplete(ar -> {
            if (ar.failed() && ar.cause() instanceof SessionRefusedException) {
                // A 503 (the factory's stage took too long, or the factory said so) is temporary.
                SessionRefusedException refusal = (SessionRefusedException) ar.cause();
                transport.refuse(refusal.status() == 503 ? TRY_AGAIN_LATER : POLICY_VIOLATION, refusal.getMessage());
            } else if (ar.failed()) {
                LOG.log(System.Logger.Level.WARNING, "Could not start a Cap'n Web WebSocket session; "
                        + "check the main object factory and the engine.", ar.cause());
                transport.refuse(WebSocketTransport.INTERNAL_ERROR,
                        "Closing the WebSocket: the server could not start a Cap'n Web session.");
            }
        });
        return transport;
    }

    /** The request of an upgrade or a batch as a main object factory sees it. */
    private static SessionRequest describe(HttpServerRequest request, boolean webSocket) {
        URI uri;
        try {
            uri = URI.create(request.absoluteURI());
        } catch (RuntimeException e) {
            throw new SessionRefusedException(400, "The request's URI is not a valid URI.");
        }
        return SessionRequest.of(webSocket, uri, headers(request.headers()), address(request.remoteAddress()),
                certificates(request.sslSession()));
    }

    /** The upgrade request of a socket Vert.x upgraded, as a main object factory sees it. */
    private static SessionRequest describe(ServerWebSocket socket) {
        URI uri;
        try {
            String host = socket.authority() == null ? "localhost" : socket.authority().host();
            int port = socket.authority() == null ? -1 : socket.authority().port();
            uri = URI.create(new URI(socket.scheme(), null, host, port, null, null, null) + socket.uri());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new SessionRefusedException(400, "The request's URI is not a valid URI.");
        }
        return SessionRequest.of(true, uri, headers(socket.headers()), address(socket.remoteAddress()),
                certificates(socket.sslSession()));
    }

    /** The client's verified certificate chain, empty without TLS or a client certificate. */
    private static List<X509Certificate> certificates(SSLSession tls) {
        if (tls == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : tls.getPeerCertificates()) {
                if (certificate instanceof X509Certificate) {
                    chain.add((X509Certificate) certificate);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // the client presented none
        }
    }

    private static RpcHeaders headers(MultiMap headers) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> header : headers) {
            pairs.add(Map.entry(header.getKey(), header.getValue()));
        }
        return RpcHeaders.ofPairs(pairs);
    }

    private static InetSocketAddress address(SocketAddress address) {
        if (address == null || address.hostAddress() == null) {
            return null; // a Unix socket
        }
        try {
            // An address literal, parsed without a lookup.
            return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private void serveBatch(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (request.method() == HttpMethod.OPTIONS) {
            preflight(request);
            return;
        }
        if (request.method() != HttpMethod.POST || request.canUpgradeToWebSocket()) {
            response.putHeader(HttpHeaders.ALLOW, ALLOW);
            refuse(request, 405, TransportText.ONLY_POST);
            return;
        }
        // Taken before the body is read, so that refused batches buffer nothing.
        if (!sessionLimit.tryAcquire()) {
            refuseAndClose(request, 503, sessionLimit.refusal());
            return;
        }
        // Counted before the check, so that close() either waits for this request or it is refused.
        CompletableFuture<Void> answered = new CompletableFuture<>();
        batchesInFlight.add(answered);
        Handler<Void> done = v -> {
            // Both the response's end and its connection's close may come.
            if (batchesInFlight.remove(answered)) {
                sessionLimit.release();
            }
            answered.complete(null);
        };
        // The engine's answer once the batch runs: cancelled if the client hangs up first, so that
        // the engine ends a batch nobody will read (see RpcEngine.serveBatch).
        AtomicReference<CompletableFuture<String>> engineAnswer = new AtomicReference<>();
        BodyReader reader = new BodyReader(request, engineAnswer);
        response.endHandler(done);
        response.closeHandler(v -> {
            done.handle(v);
            reader.discardMain();
            CompletableFuture<String> answer = engineAnswer.get();
            if (answer != null) {
                answer.cancel(false);
            }
        });
        if (closing) {
            refuse(request, 503, "The server is shutting down.");
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared < 0) {
                refuse(request, 400, "The Content-Length header is not a number.");
                return;
            }
            if (declared > maxMessageSize) {
                boolean continueExpected = expectsContinue(request);
                if (continueExpected || declared - maxMessageSize > DISCARD_LIMIT) {
                    // The client waits for our word before sending (or would send too much to
                    // read and discard): answer and close.
                    tooLarge(request, true);
                    return;
                }
            }
        }
        try {
            reader.described = describesRequests ? describe(request, false) : null;
        } catch (SessionRefusedException e) {
            refuseUnread(request, e);
            return;
        }
        if (!mainFactory.readsRequest()) {
            // A plain factory cannot refuse by the request: it runs with the batch (runBatch).
            readBody(request, reader);
            return;
        }
        // A factory that reads the request may refuse it, so it runs before the body is read: a
        // refused client's body is never buffered, and one that expects 100 Continue is answered
        // without it. The request waits, paused, meanwhile.
        request.pause();
        SessionRequest described = reader.described;
        makeMain(() -> described).onComplete(made -> {
            if (made.failed()) {
                refuseUnread(request, MainFactory.refusal(made.cause()));
            } else if (response.closed()) {
                MainFactory.discard(made.result()); // the client left while it was made
            } else {
                reader.main = made.result();
                readBody(request, reader);
            }
        });
    }

    private void readBody(HttpServerRequest request, BodyReader reader) {
        if (expectsContinue(request)) {
            request.response().writeContinue();
        }
        request.handler(reader::chunk);
        request.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "batch request failed", e));
        request.endHandler(v -> reader.end());
        // Paused while a factory that reads the request ran, or by an earlier handler of the
        // application's (a router's asynchronous step): its body would never come otherwise.
        request.resume();
    }

    /** Answers a refusal before the body was read, then drops the body or closes as tooLarge does. */
    private void refuseUnread(HttpServerRequest request, SessionRefusedException refusal) {
        if (expectsContinue(request)) {
            // The client sends nothing until told to: the connection cannot carry on.
            refusal.headers().forEach(request.response()::putHeader);
            refuseAndClose(request, refusal.status(), refusal.getMessage());
        } else {
            dropRest(request, 0);
            refuse(request, refusal);
        }
        request.resume();
    }

    /**
     * Collects the body of one batch, refusing it with 413 once it passes the limit. Used on the
     * request's event loop only.
     */
    private final class BodyReader {
        private final HttpServerRequest request;
        private final AtomicReference<CompletableFuture<String>> engineAnswer;
        private Buffer body = Buffer.buffer();
        private boolean refused;
        /** The main object made before the body was read, until the batch takes it; else null. */
        Object main;
        /** The request for the batch's session, or null if it is not described. */
        SessionRequest described;

        BodyReader(HttpServerRequest request, AtomicReference<CompletableFuture<String>> engineAnswer) {
            this.request = request;
            this.engineAnswer = engineAnswer;
        }

        void chunk(Buffer chunk) {
            if ((long) body.length() + chunk.length() > maxMessageSize) {
                refused = true;
                dropRest(request, (long) body.length() + chunk.length());
                body = null;
                discardMain();
                tooLarge(request, false);
                return;
            }
            body.appendBuffer(chunk);
        }

        void end() {
            if (refused) {
                return;
            }
            String text = utf8(body);
            body = null;
            Object made = main;
            main = null;
            if (text == null) {
                MainFactory.discard(made);
                refuse(request, 400, "The request body is not UTF-8 text; Cap'n Web batches are newline-separated JSON.");
                return;
            }
            runBatch(request, text, engineAnswer, made, described);
        }

        /** Closes the main object if no batch took it. */
        void discardMain() {
            Object unused = main;
            main = null;
            MainFactory.discard(unused);
        }
    }

    /** @return the body as text, or null if it is not UTF-8 */
    private static String utf8(Buffer body) {
        return TransportText.strictUtf8(body.toString(StandardCharsets.UTF_8), body::getBytes);
    }

    /**
     * @param main the batch's main object if the factory already ran (see serveBatch), else null
     * @param described the request for the batch's session, or null if it is not described
     */
    private void runBatch(HttpServerRequest request, String body,
            AtomicReference<CompletableFuture<String>> engineAnswer, Object main, SessionRequest described) {
        HttpServerResponse response = request.response();
        Context context = Vertx.currentContext();
        // With directExecutor() the application promised that nothing of its session blocks, so
        // the batch runs here on the event loop, as a WebSocket session with those options does:
        // no hand-off to a worker and back, which is most of a small batch's cost. A plain factory
        // runs with it, in one hand-off by default.
        Callable<CompletionStage<String>> serve = main != null
                ? () -> engine.serveBatch(body, main, sessionOptions, described) : () -> {
            Object made;
            try {
                made = mainFactory.newMain(() -> null);
            } catch (RuntimeException e) {
                throw MainFactory.refusal(e);
            }
            return engine.serveBatch(body, made, sessionOptions, described);
        };
        Future<CompletionStage<String>> served = sessionOptions.directExecutor() ? onThisThread(serve) : onWorker(serve);
        served.compose(stage -> {
                    CompletableFuture<String> answer = stage.toCompletableFuture();
                    engineAnswer.set(answer);
                    if (response.closed()) {
                        answer.cancel(false); // the client hung up while the batch started
                    }
                    return context == null ? Future.fromCompletionStage(answer)
                            : Future.fromCompletionStage(answer, context);
                })
                .onComplete(ar -> {
                    if (response.ended() || response.closed()) {
                        return;
                    }
                    if (ar.succeeded()) {
                        batchHeaders.forEach(response::putHeader);
                        response.setStatusCode(200)
                                .putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
                                .end(ar.result() == null ? "" : ar.result());
                    } else if (ar.cause() instanceof SessionRefusedException) {
                        SessionRefusedException refusal = (SessionRefusedException) ar.cause();
                        refuse(request, refusal);
                    } else {
                        LOG.log(System.Logger.Level.WARNING, "A Cap'n Web batch failed.", ar.cause());
                        refuse(request, 500, "The server could not process the batch.");
                    }
                });
    }

    private void preflight(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        batchHeaders.forEach(response::putHeader);
        response.putHeader(HttpHeaders.ALLOW, ALLOW);
        if (batchHeaders.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Access-Control-Allow-Origin"))) {
            if (batchHeaders.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Access-Control-Allow-Methods"))) {
                response.putHeader("Access-Control-Allow-Methods", ALLOW);
            }
            String asked = request.getHeader("Access-Control-Request-Headers");
            if (asked != null
                    && batchHeaders.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Access-Control-Allow-Headers"))) {
                response.putHeader("Access-Control-Allow-Headers", asked);
            }
        }
        response.setStatusCode(204).end();
    }

    private void tooLarge(HttpServerRequest request, boolean close) {
        String message = "The request body is larger than the limit of " + maxMessageSize + " bytes.";
        if (close) {
            refuseAndClose(request, 413, message);
        } else {
            refuse(request, 413, message);
        }
    }

    /**
     * Answers without reading the body, then stops receiving it: over HTTP/1 by closing the
     * connection once the answer is out; over HTTP/2, whose connection carries other requests
     * too, as {@link #dropRest} does.
     */
    private void refuseAndClose(HttpServerRequest request, int status, String message) {
        if (request.version() == HttpVersion.HTTP_2) {
            dropRest(request, 0);
            refuse(request, status, message);
            return;
        }
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        refuse(request, status, message).onComplete(ar -> request.connection().close());
    }

    /**
     * Reads and drops what still arrives of a refused body, so that a client still sending gets
     * to read the answer, up to {@link #DISCARD_LIMIT} bytes; beyond, stops receiving it: closes
     * the connection over HTTP/1, resets only the request's stream over HTTP/2.
     *
     * @param read how much of the body was read before
     */
    private static void dropRest(HttpServerRequest request, long read) {
        long[] dropped = {read};
        request.handler(chunk -> {
            long before = dropped[0];
            dropped[0] += chunk.length();
            if (before <= DISCARD_LIMIT && dropped[0] > DISCARD_LIMIT) {
                if (request.version() == HttpVersion.HTTP_2) {
                    request.response().reset();
                } else {
                    request.connection().close();
                }
            }
        });
    }

    private static boolean expectsContinue(HttpServerRequest request) {
        String expect = request.getHeader(HttpHeaders.EXPECT);
        return expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue");
    }

    private Future<Void> refuse(HttpServerRequest request, SessionRefusedException refusal) {
        refusal.headers().forEach(request.response()::putHeader);
        return refuse(request, refusal.status(), refusal.getMessage());
    }

    private Future<Void> refuse(HttpServerRequest request, int status, String message) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        batchHeaders.forEach(response::putHeader);
        return response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(message);
    }

    /** Runs {@code work} here, a failure becoming a failed future as on {@link #onWorker}. */
    private static <T> Future<T> onThisThread(Callable<T> work) {
        try {
            return Future.succeededFuture(work.call());
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    /** Runs {@code work} on a Vert.x worker thread, so user code never runs on the event loop. */
    private static <T> Future<T> onWorker(Callable<T> work) {
        Context context = Vertx.currentContext();
        if (context != null) {
            return context.executeBlocking(work, false);
        }
        Promise<T> done = Promise.promise();
        TransportThreads.POOL.execute(() -> {
            try {
                done.complete(work.call());
            } catch (Throwable e) {
                done.fail(e); // as it is, as executeBlocking fails: a refusal stays a refusal
            }
        });
        return done.future();
    }

    /** The session of one socket, once the engine made it. */
    private static final class SessionHolder {
        private RpcSession session;
        private boolean closeAsked;

        synchronized void set(RpcSession s, WebSocketTransport t, boolean serverClosing) {
            session = s;
            if (closeAsked || serverClosing) {
                closeQuietly(s, t);
            }
        }

        void close(WebSocketTransport t) {
            RpcSession s;
            synchronized (this) {
                closeAsked = true;
                s = session;
            }
            if (s != null) {
                closeQuietly(s, t);
            } else {
                t.close();
            }
        }

        private static void closeQuietly(RpcSession s, WebSocketTransport t) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "A Cap'n Web session failed to close; closing its socket.", e);
                t.close();
            }
        }
    }
}
