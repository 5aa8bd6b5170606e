package capnweb.transport.jetty;

import capnweb.api.RpcHeaders;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import capnweb.api.spi.HeaderRules;
import capnweb.api.spi.Keepalive;
import capnweb.api.spi.MainFactory;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.ServerLimit;
import capnweb.api.spi.TransportText;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.TunnelSupport;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/**
 * A Jetty {@link Handler} that serves Cap'n Web: WebSocket upgrades become WebSocket sessions and
 * POSTs become HTTP batch sessions, each with a fresh main object from the factory.
 *
 * <p>Mount it into a Jetty 12 server you already run, e.g. inside a {@code ContextHandler} or a
 * {@code PathMappingsHandler}:
 *
 * <pre>{@code
 * CapnWebHandler rpc = CapnWebHandler.builder(MyApi::new).path("/rpc").build();
 * server.setHandler(rpc);
 * }</pre>
 *
 * <p>Other requests to its path are answered here: {@code OPTIONS} (CORS preflight) with 204, any
 * other method with 405. A request for another path is left to the next handler, unless no path
 * was set, in which case every request that reaches this handler is served. Batch bodies and
 * WebSocket messages above the size limit are refused before they are buffered (413, or a close
 * with code 1009); binary WebSocket frames are answered with an {@code abort} and a close. Beyond
 * {@link Builder#maxSessions(int)} sessions at once, upgrades and batches are answered with 503.
 * With {@link Builder#pingInterval(Duration)} each WebSocket peer is pinged, and one that answers
 * nothing for the idle timeout is disconnected.
 *
 * <p>Thread-safe. Stopping the handler (or its server) does not wait for sessions; call
 * {@link #closeSessions(Duration)} first for a graceful stop.
 */
public final class CapnWebHandler extends Handler.Abstract {
    private static final System.Logger LOG = System.getLogger(CapnWebHandler.class.getName());

    /** Refused request bodies up to this size are read to their end after the answer; see refuseAndClose. */
    private static final long DRAINED_BODY_BYTES = 1 << 20;

    private final MainFactory mainFactory;
    /** Whether each session's request is described; see {@link MainFactory#describesRequests}. */
    private final boolean describesRequests;
    private final SessionOptions sessionOptions;
    private final RpcEngine engine;
    private final String path;
    private final int maxMessageSize;
    private final Duration idleTimeout;
    private final Duration pingInterval;
    private final Map<String, String> batchResponseHeaders;
    private final ServerLimit sessionLimit;
    private final Set<WebSocketTransport> sockets = ConcurrentHashMap.newKeySet();
    private final WebSocketCreator creator = this::newSocket;
    private volatile ServerWebSocketContainer container;
    private volatile boolean shuttingDown;

    private CapnWebHandler(Builder b) {
        // Blocking: messages that arrive with the upgrade request are handled during it, on this
        // handler's thread, target methods included (see WebSocketTransport.deliveryThreadsMayBlock),
        // and a batch runs its session on the request's thread (see RpcEngine.serveBatch), so
        // Jetty must not run it on its selector thread. Unless the sessions run with
        // directExecutor(): the application promised that nothing of theirs blocks, so Jetty may
        // run the handler on the thread that read the request, without waking another for it.
        super(b.sessionOptions.directExecutor() ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING);
        this.mainFactory = b.mainFactory.withTimeout(b.factoryTimeout);
        this.sessionOptions = b.sessionOptions;
        this.describesRequests = mainFactory.describesRequests(sessionOptions);
        this.engine = b.engine;
        this.path = b.path;
        this.maxMessageSize = b.maxMessageSize == 0 ? b.sessionOptions.maxMessageSize() : b.maxMessageSize;
        this.idleTimeout = b.idleTimeout;
        this.pingInterval = b.pingInterval;
        this.batchResponseHeaders = Map.copyOf(b.batchResponseHeaders);
        this.sessionLimit = ServerLimit.sessions(b.maxSessions);
    }

    /**
     * Starts a builder.
     *
     * @param mainFactory makes the main object of each session (an RpcTarget or RpcFunction);
     *     called once per WebSocket connection and once per batch request
     * @return the builder
     */
    public static Builder builder(Supplier<?> mainFactory) {
        return new Builder(MainFactory.of(mainFactory));
    }

    /**
     * Starts a builder whose factory sees the request that opens each session, and may refuse it
     * by throwing {@link SessionRefusedException}; see {@link ServerOptions#builderWithRequest}.
     *
     * @param mainFactory makes the main object of each session from its request
     * @return the builder
     */
    public static Builder builderWithRequest(Function<? super SessionRequest, ?> mainFactory) {
        return new Builder(MainFactory.ofRequest(mainFactory));
    }

    /**
     * Starts a builder whose factory sees the request that opens each session and answers with a
     * stage of its main object; see {@link ServerOptions#builderWithRequestAsync}.
     *
     * @param mainFactory starts making the main object of each session from its request
     * @return the builder
     */
    public static Builder builderWithRequestAsync(
            Function<? super SessionRequest, ? extends CompletionStage<?>> mainFactory) {
        return new Builder(MainFactory.ofRequestAsync(mainFactory));
    }

    /**
     * A handler with the settings of {@code options} (all but host and port, which belong to the
     * server it is mounted in), serving at {@code options.path()}.
     *
     * @param options the server settings
     * @param engine the engine that runs the sessions
     * @return the handler
     */
    public static CapnWebHandler of(ServerOptions options, RpcEngine engine) {
        Objects.requireNonNull(options, "options");
        Builder b = new Builder(options.mainFactory())
                .engine(engine)
                .path(options.path())
                .sessionOptions(options.sessionOptions())
                .maxMessageSize(options.maxMessageSize())
                .idleTimeout(options.idleTimeout())
                .pingInterval(options.pingInterval())
                .maxSessions(options.maxSessions())
                .factoryTimeout(options.factoryTimeout());
        options.batchResponseHeaders().forEach(b::batchResponseHeader);
        return b.build();
    }

    /** @return how many WebSocket sessions are open now */
    public int openSessions() {
        return (int) sockets.stream().filter(WebSocketTransport::isOpen).count();
    }

    /**
     * Closes every open WebSocket session with a close frame (code 1001, "going away") after what
     * is queued for it, refuses new upgrades, and waits until the sessions have closed.
     *
     * @param timeout how long to wait
     * @return whether every session closed within the timeout
     */
    public boolean closeSessions(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        shuttingDown = true;
        List<WebSocketTransport> open = List.copyOf(sockets);
        for (WebSocketTransport socket : open) {
            socket.requestClose(StatusCode.SHUTDOWN, "The Cap'n Web server is shutting down.");
        }
        CompletableFuture<?> all = CompletableFuture.allOf(
                open.stream().map(WebSocketTransport::ended).toArray(CompletableFuture[]::new));
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    @Override
    protected void doStart() throws Exception {
        ServerWebSocketContainer c = ServerWebSocketContainer.ensure(getServer());
        if (!c.isStarted()) {
            c.start();
        }
        container = c;
        shuttingDown = false;
        super.doStart();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (path != null && !path.equals(Request.getPathInContext(request))) {
            return false;
        }
        ServerWebSocketContainer c = container;
        if (c == null) {
            throw new IllegalStateException("CapnWebHandler was not started; add it to a Jetty Server before it starts.");
        }
        if (isUpgrade(request)) {
            if (!HttpMethod.CONNECT.is(request.getMethod()) && refusedHandshake(request, response, callback)) {
                return true;
            }
            if (shuttingDown) {
                sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "The Cap'n Web server is shutting down.",
                        Map.of());
                return true;
            }
            if (mainFactory.isAsync()) {
                upgradeAsync(c, request, response, callback);
                return true;
            }
            if (c.upgrade(creator, request, response, callback)) {
                return true;
            }
        }
        serveHttp(request, response, callback);
        return true;
    }

    /** A request that is not a WebSocket upgrade: POST runs a batch, OPTIONS answers CORS preflight. */
    private void serveHttp(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        if (HttpMethod.POST.is(method)) {
            serveBatch(request, response, callback);
        } else if (HttpMethod.OPTIONS.is(method)) {
            preflight(request, response, callback);
        } else {
            response.getHeaders().put(HttpHeader.ALLOW, "POST, OPTIONS");
            sendText(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, TransportText.ONLY_POST, batchResponseHeaders);
        }
    }

    /**
     * Whether the request asks for a WebSocket: by RFC 6455 a GET over HTTP/1.1 with "Upgrade:
     * websocket" and "Connection: upgrade", or by RFC 8441 an HTTP/2 CONNECT for the websocket
     * protocol. Decided as Jetty's container decides, before the factory runs, so that a request
     * that is no upgrade (a POST that carries such headers) runs the factory once, as a batch.
     */
    private static boolean isUpgrade(Request request) {
        if (HttpMethod.CONNECT.is(request.getMethod())) {
            TunnelSupport tunnel = request.getTunnelSupport();
            return tunnel != null && "websocket".equals(tunnel.getProtocol());
        }
        HttpFields headers = request.getHeaders();
        return HttpMethod.GET.is(request.getMethod())
                && HttpVersion.HTTP_1_1.is(request.getConnectionMetaData().getProtocol())
                && "websocket".equalsIgnoreCase(headers.get(HttpHeader.UPGRADE))
                && headers.contains(HttpHeader.CONNECTION, "upgrade");
    }

    /**
     * Answers an RFC 6455 upgrade that cannot succeed, before the factory runs; see
     * {@link TransportText#webSocketHandshakeRefusal}.
     *
     * @return whether the request was answered
     */
    private static boolean refusedHandshake(Request request, Response response, Callback callback) {
        SessionRefusedException refusal = TransportText.webSocketHandshakeRefusal(
                request.getHeaders().get(HttpHeader.SEC_WEBSOCKET_VERSION),
                request.getHeaders().get(HttpHeader.SEC_WEBSOCKET_KEY));
        if (refusal == null) {
            return false;
        }
        refuse(response, callback, refusal, Map.of());
        return true;
    }

    /**
     * Makes the endpoint of an upgrade, or answers instead: 503 when no session may start, the
     * factory's refusal when it refuses the session.
     */
    private Object newSocket(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        if (!sessionLimit.tryAcquire()) {
            sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, sessionLimit.refusal(), Map.of());
            return null;
        }
        SessionRequest described;
        Object main;
        try {
            described = describesRequests ? describe(request, true) : null;
            main = mainFactory.newMain(() -> described);
        } catch (RuntimeException e) {
            sessionLimit.release();
            SessionRefusedException refusal = MainFactory.refusal(e);
            refuse(response, callback, refusal, Map.of());
            return null;
        }
        return socketFor(request, response, main, described);
    }

    /**
     * Answers an upgrade whose main object comes from an asynchronous factory: its stage first,
     * holding a place of the session limit meanwhile, then the upgrade, whose creator takes that
     * main object.
     */
    private void upgradeAsync(ServerWebSocketContainer c, Request request, Response response, Callback callback) {
        if (!sessionLimit.tryAcquire()) {
            sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, sessionLimit.refusal(), Map.of());
            return;
        }
        SessionRequest described;
        try {
            described = describesRequests ? describe(request, true) : null;
        } catch (SessionRefusedException e) {
            sessionLimit.release();
            refuse(response, callback, e, Map.of());
            return;
        }
        mainFactory.newMainAsync(() -> described).whenComplete((main, failure) -> {
            if (failure != null) {
                sessionLimit.release();
                refuse(response, callback, MainFactory.refusal(failure), Map.of());
                return;
            }
            if (shuttingDown) {
                sessionLimit.release();
                MainFactory.discard(main);
                sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "The Cap'n Web server is shutting down.",
                        Map.of());
                return;
            }
            AtomicBoolean taken = new AtomicBoolean();
            WebSocketCreator withMain = (upgrade, upgradeResponse, upgradeCallback) -> {
                taken.set(true);
                return socketFor(upgrade, upgradeResponse, main, described);
            };
            boolean upgraded;
            try {
                upgraded = c.upgrade(withMain, request, response, callback);
            } catch (RuntimeException e) {
                if (!taken.get()) { // else the socket's end gives the place back
                    sessionLimit.release();
                    MainFactory.discard(main);
                }
                callback.failed(e);
                return;
            }
            if (!upgraded) { // not a valid WebSocket upgrade after all
                sessionLimit.release();
                MainFactory.discard(main);
                serveHttp(request, response, callback);
            }
        });
    }

    /**
     * The endpoint of an upgrade that holds a place of the session limit, given back at its end.
     *
     * @param described the upgrade request for the session, or null if it is not described
     */
    private WebSocketTransport socketFor(ServerUpgradeRequest request, ServerUpgradeResponse response, Object main,
            SessionRequest described) {
        // No permessage-deflate, even when the client offers it (browsers and the `ws` package do):
        // Cap'n Web messages are small JSON, and compressing each one costs far more CPU on both
        // ends than it saves on the wire; the reference server (ws) does not compress either.
        response.setExtensions(List.of());
        Keepalive keepalive = pingInterval == null || idleTimeout == null ? null
                : Keepalive.of(pingInterval, idleTimeout).orElse(null);
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        Consumer<WebSocketTransport> end = closed -> {
            if (ended.compareAndSet(false, true)) {
                sockets.remove(closed);
                sessionLimit.release();
                if (!started.get()) {
                    MainFactory.discard(main); // closed before its session could start
                }
            }
        };
        WebSocketTransport socket = new WebSocketTransport(maxMessageSize, idleTimeout, keepalive, t -> {
            started.set(true);
            engine.newSession(t, main, sessionOptions, described);
        }, end);
        sockets.add(socket);
        // An upgrade whose 101 cannot be written (the client left while the factory ran) never
        // opens its endpoint, and Jetty then calls none of its methods: end it here instead.
        Request.addCompletionListener(request, failure -> {
            if (failure != null && !started.get()) {
                end.accept(socket);
            }
        });
        return socket;
    }

    private void serveBatch(Request request, Response response, Callback callback) {
        // Taken before the body is read, so that refused batches buffer nothing.
        if (!sessionLimit.tryAcquire()) {
            refuseAndClose(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, sessionLimit.refusal());
            return;
        }
        // The place is given back as the answer starts out, not once it is written: a client that
        // has read it may start its next session at once. A batch that ends unanswered gives it
        // back with its callback.
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable release = () -> {
            if (held.compareAndSet(true, false)) {
                sessionLimit.release();
            }
        };
        Response answering = new Response.Wrapper(request, response) {
            @Override
            public void write(boolean last, java.nio.ByteBuffer content, Callback written) {
                if (last) {
                    release.run();
                }
                super.write(last, content, written);
            }
        };
        Callback answered = Callback.from(callback, release);
        if (request.getLength() > maxMessageSize) {
            tooLarge(request, answering, answered);
            return;
        }
        SessionRequest described;
        try {
            described = describesRequests ? describe(request, false) : null;
        } catch (SessionRefusedException e) {
            refuseUnread(request, answering, answered, e);
            return;
        }
        if (!mainFactory.readsRequest()) {
            // A plain factory cannot refuse by the request: it runs with the batch (runBatch).
            readBody(request, answering, answered, null, null, described);
            return;
        }
        // A factory that reads the request may refuse it, so it runs before the body is read: a
        // refused client's body is never buffered, and one that expects 100 Continue is answered
        // without it.
        withMain(request, described, answered, main -> readBody(request, answering, answered, null, main, described),
                refusal -> refuseUnread(request, answering, answered, refusal));
    }

    /** Answers a refusal, with its own headers, before the body was read (see refuseAndClose). */
    private void refuseUnread(Request request, Response response, Callback callback, SessionRefusedException refusal) {
        refusal.headers().forEach(response.getHeaders()::put);
        refuseAndClose(request, response, callback, refusal.status(), refusal.getMessage());
    }

    /**
     * Makes a batch's main object and goes on with it: here (a pool thread that may block, or
     * with directExecutor() whichever thread Jetty chose) if it is ready at once, as a plain
     * factory's is, else on a thread of Jetty's pool rather than on whichever thread completes an
     * asynchronous factory's stage. A factory's refusal, or failure, goes to {@code refuse}.
     */
    private void withMain(Request request, SessionRequest described, Callback callback, Consumer<Object> then,
            Consumer<SessionRefusedException> refuse) {
        CompletableFuture<Object> made = mainFactory.newMainAsync(() -> described);
        BiConsumer<Object, Throwable> next = (main, failure) -> {
            try {
                if (failure != null) {
                    refuse.accept(MainFactory.refusal(failure));
                } else {
                    then.accept(main);
                }
            } catch (RuntimeException e) {
                callback.failed(e); // as Jetty fails a handler that throws; the stage would swallow it
            }
        };
        if (made.isDone()) {
            made.whenComplete(next);
        } else {
            made.whenCompleteAsync(next, request.getContext());
        }
    }

    /**
     * Reads the body chunk by chunk, without blocking, and stops as soon as it exceeds the limit;
     * then runs the batch. A body that arrives in one chunk (the usual case) is decoded straight
     * from Jetty's buffer.
     *
     * @param main the batch's main object if the factory already ran, else null; closed if the
     *     batch never runs
     * @param described the request for the batch's session, or null if it is not described
     */
    private void readBody(Request request, Response response, Callback callback, java.io.ByteArrayOutputStream into,
            Object main, SessionRequest described) {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                java.io.ByteArrayOutputStream sofar = into;
                request.demand(() -> readBody(request, response, callback, sofar, main, described));
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                LOG.log(System.Logger.Level.DEBUG, () -> "Could not read a batch request: " + failure);
                MainFactory.discard(main);
                callback.failed(failure);
                return;
            }
            java.nio.ByteBuffer buffer = chunk.getByteBuffer();
            long size = (into == null ? 0L : into.size()) + buffer.remaining();
            if (size > maxMessageSize) {
                chunk.release();
                MainFactory.discard(main);
                tooLarge(request, response, callback);
                return;
            }
            boolean last = chunk.isLast();
            if (last && into == null) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                chunk.release();
                String body = TransportText.strictUtf8(bytes);
                runBatch(body, request, response, callback, main, described);
                return;
            }
            if (buffer.hasRemaining()) {
                if (into == null) {
                    into = new java.io.ByteArrayOutputStream(Math.max(32, (int) Math.min(maxMessageSize,
                            Math.max(size, request.getLength()))));
                }
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                into.write(bytes, 0, bytes.length);
            }
            chunk.release();
            if (last) {
                runBatch(TransportText.strictUtf8(into.toByteArray()), request, response, callback, main, described);
                return;
            }
        }
    }

    /** @param main the batch's main object if the factory already ran (see serveBatch), else null */
    private void runBatch(String body, Request request, Response response, Callback callback, Object main,
            SessionRequest described) {
        if (body == null) {
            MainFactory.discard(main);
            sendText(response, callback, HttpStatus.BAD_REQUEST_400,
                    "The request body is not UTF-8 text; Cap'n Web batches are newline-separated JSON.",
                    batchResponseHeaders);
            return;
        }
        if (main != null) {
            answerBatch(main, body, request, response, callback, described);
        } else {
            withMain(request, described, callback,
                    made -> answerBatch(made, body, request, response, callback, described),
                    refusal -> refuse(response, callback, refusal, batchResponseHeaders));
        }
    }

    private void answerBatch(Object main, String body, Request request, Response response, Callback callback,
            SessionRequest described) {
        CompletableFuture<String> result;
        try {
            result = engine.serveBatch(body, main, sessionOptions, described).toCompletableFuture();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        // A client that hangs up will never read the answer: the engine then ends the batch at once
        // instead of finishing it (see RpcEngine.serveBatch).
        CompletableFuture<String> answered = result;
        request.addFailureListener(failure -> answered.cancel(false));
        result.whenComplete((answer, error) -> {
            if (error instanceof java.util.concurrent.CancellationException) {
                callback.failed(error);
                return;
            }
            if (error == null) {
                sendText(response, callback, HttpStatus.OK_200, answer, batchResponseHeaders);
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                LOG.log(System.Logger.Level.DEBUG, () -> "A batch request failed: " + cause);
                sendText(response, callback, HttpStatus.BAD_REQUEST_400,
                        "The Cap'n Web batch failed: " + cause.getMessage(), batchResponseHeaders);
            }
        });
    }

    private void tooLarge(Request request, Response response, Callback callback) {
        refuseAndClose(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                "The request body is larger than this endpoint's limit of " + maxMessageSize + " bytes.");
    }

    /**
     * Answers a batch whose body is unread, or partly read, at once, and closes the connection:
     * a client may wait for the answer before sending its body (Expect: 100-continue), and is
     * never told to send one that would be dropped. The rest of a body of modest declared size is
     * then read and dropped before the connection closes: closing it with unread bytes makes the
     * kernel reset it, and the client can lose the answer with it. A larger or unsized body is not
     * worth reading.
     */
    private void refuseAndClose(Request request, Response response, Callback callback, int status, String text) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        long length = request.getLength();
        boolean drain = length > 0 && length <= DRAINED_BODY_BYTES
                && !request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
        Callback then = !drain ? callback : Callback.from(
                () -> Content.Source.consumeAll(request, Callback.from(callback::succeeded, failure -> callback.succeeded())),
                callback::failed);
        sendText(response, then, status, text, batchResponseHeaders);
    }

    private void preflight(Request request, Response response, Callback callback) {
        var headers = response.getHeaders();
        batchResponseHeaders.forEach(headers::put);
        headers.put(HttpHeader.ALLOW, "POST, OPTIONS");
        if (batchResponseHeaders.keySet().stream().anyMatch(h -> h.regionMatches(true, 0, "Access-Control-", 0, 15))) {
            if (!headers.contains(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS)) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS");
            }
            String asked = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
            if (asked != null && !headers.contains(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS)) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, asked);
            }
        }
        response.setStatus(HttpStatus.NO_CONTENT_204);
        response.write(true, null, callback);
    }

    /** The request as a main object factory sees it. */
    private static SessionRequest describe(Request request, boolean webSocket) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(request.getHeaders().size());
        for (HttpField field : request.getHeaders()) {
            headers.add(Map.entry(field.getName(), field.getValue() == null ? "" : field.getValue()));
        }
        URI uri;
        try {
            uri = request.getHttpURI().toURI();
        } catch (RuntimeException e) {
            throw new SessionRefusedException(HttpStatus.BAD_REQUEST_400, "The request's URI is not a valid URI.");
        }
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        EndPoint.SslSessionData tls = request.getConnectionMetaData().getConnection().getEndPoint().getSslSessionData();
        X509Certificate[] certificates = tls == null ? null : tls.peerCertificates();
        return SessionRequest.of(webSocket, uri, RpcHeaders.ofPairs(headers),
                remote instanceof InetSocketAddress ? (InetSocketAddress) remote : null,
                certificates == null ? List.of() : List.of(certificates));
    }

    private static void refuse(Response response, Callback callback, SessionRefusedException refusal,
            Map<String, String> extraHeaders) {
        refusal.headers().forEach(response.getHeaders()::put);
        sendText(response, callback, refusal.status(), refusal.getMessage(), extraHeaders);
    }

    private static void sendText(Response response, Callback callback, int status, String text,
            Map<String, String> extraHeaders) {
        response.setStatus(status);
        var headers = response.getHeaders();
        extraHeaders.forEach(headers::put);
        headers.put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        Content.Sink.write(response, true, text, callback);
    }

    /** Builds a {@link CapnWebHandler}. Not thread-safe. */
    public static final class Builder {
        private final MainFactory mainFactory;
        private SessionOptions sessionOptions = SessionOptions.defaults();
        private RpcEngine engine;
        private String path;
        private int maxMessageSize;
        private Duration idleTimeout;
        private Duration pingInterval;
        private int maxSessions = Integer.MAX_VALUE;
        private Duration factoryTimeout = Duration.ofSeconds(30);
        private final Map<String, String> batchResponseHeaders = new LinkedHashMap<>();

        private Builder(MainFactory mainFactory) {
            this.mainFactory = Objects.requireNonNull(mainFactory, "mainFactory");
        }

        /**
         * Serves only requests whose path (within the context) is exactly {@code path}; others go
         * to the next handler. Without it, every request that reaches the handler is served.
         *
         * @param path an absolute path such as {@code /rpc}
         * @return this builder
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
            }
            this.path = path;
            return this;
        }

        /**
         * Sets the settings of each session. With {@link SessionOptions#directExecutor()} the
         * handler tells Jetty it never blocks, so Jetty may run it, a batch's session included,
         * on the thread that read the request instead of handing each request to another thread.
         *
         * @param options the settings
         * @return this builder
         */
        public Builder sessionOptions(SessionOptions options) {
            this.sessionOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Sets the engine; by default the one {@link ProviderRegistry#load()} finds.
         *
         * @param engine the engine
         * @return this builder
         */
        public Builder engine(RpcEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Sets the largest WebSocket message or batch body accepted, in bytes; by default the
         * session options' message limit.
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMessageSize must be positive, got " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Sets how long a WebSocket connection may go without hearing from its peer; by default
         * Jetty's.
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Pings each WebSocket peer this often, so that a live peer's quiet session stays open and
         * one that answers nothing for the idle timeout is disconnected; needs
         * {@link #idleTimeout(Duration)}. No pings by default, and none for {@link Duration#ZERO}.
         *
         * @param interval the time between pings
         * @return this builder
         * @see ServerOptions#pingInterval()
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Sets the most sessions served at once: open WebSocket sessions plus batches being read
         * or answered. An upgrade or batch beyond it is answered 503 with a sentence saying so,
         * before its main object is made or its body read. No limit by default.
         *
         * @param sessions the limit, at least 1
         * @return this builder
         * @see ServerOptions#maxSessions()
         */
        public Builder maxSessions(int sessions) {
            if (sessions <= 0) {
                throw new IllegalArgumentException("maxSessions must be positive, got " + sessions);
            }
            this.maxSessions = sessions;
            return this;
        }

        /**
         * Sets how long the stage of an asynchronous main object factory
         * ({@link #builderWithRequestAsync}) may take before the session is refused with 503; 30
         * seconds by default.
         *
         * @param timeout the bound, positive
         * @return this builder
         * @see ServerOptions.Builder#factoryTimeout(Duration)
         */
        public Builder factoryTimeout(Duration timeout) {
            this.factoryTimeout = MainFactory.checkedTimeout(timeout);
            return this;
        }

        /**
         * Adds a header to every batch response (and to the answer to a CORS preflight), e.g.
         * {@code Access-Control-Allow-Origin: *}.
         *
         * @param name the header name
         * @param value the value, one line of Latin-1 text
         * @return this builder
         * @throws IllegalArgumentException if the name is not an HTTP token, the value holds a
         *     line break or another control character, or the header is one the transport writes
         *     itself (Content-Length, Transfer-Encoding, Connection, Upgrade, Host, Expect and the
         *     other hop-by-hop headers, and Sec-WebSocket-*)
         */
        public Builder batchResponseHeader(String name, String value) {
            HeaderRules.check("CapnWebHandler.Builder.batchResponseHeader", name, value);
            batchResponseHeaders.put(name, value);
            return this;
        }

        /** @return the handler */
        public CapnWebHandler build() {
            if (engine == null) {
                engine = ProviderRegistry.load().engine();
            }
            return new CapnWebHandler(this);
        }
    }

    /** @return the path this handler serves, if it serves one path only */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }
}
