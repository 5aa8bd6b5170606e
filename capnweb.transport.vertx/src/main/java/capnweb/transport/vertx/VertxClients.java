package capnweb.transport.vertx;

import capnweb.api.ClientOptions;
import capnweb.api.RpcException;
import capnweb.api.RpcSession;
import capnweb.api.Undefined;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.Keepalive;
import capnweb.api.spi.ProxyRoute;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportText;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.proxy.ProxyConnectException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Client sessions over Vert.x: WebSocket for ws/wss, HTTP batch for http/https. */
final class VertxClients {
    private static final System.Logger LOG = System.getLogger(VertxClients.class.getName());

    private VertxClients() {
    }

    /**
     * Opens a session to {@code uri}; the stage completes off the event loop, so whatever the
     * caller chains on it never runs on a Vert.x thread.
     */
    static CompletionStage<RpcSession> connect(VertxLease lease, URI uri, ClientOptions options, RpcEngine engine) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        try {
            switch (scheme) {
                case "ws":
                case "wss":
                    return webSocket(lease, uri, options, engine);
                case "http":
                case "https":
                    return CompletableFuture.completedFuture(batch(lease, uri, options, engine));
                default:
                    lease.release();
                    return CompletableFuture.failedFuture(new IllegalArgumentException("Cannot connect to " + uri
                            + ": Cap'n Web speaks ws:, wss: (WebSocket) and http:, https: (HTTP batch)."));
            }
        } catch (RuntimeException e) {
            lease.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Executor completer(ClientOptions options) {
        return options.sessionOptions().executor().orElse(TransportThreads.POOL);
    }

    private static CompletionStage<RpcSession> webSocket(VertxLease lease, URI uri, ClientOptions options,
            RpcEngine engine) {
        int max = options.sessionOptions().maxMessageSize();
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, options.connectTimeout().toMillis()));
        WebSocketClient client = lease.vertx().createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(max)
                .setMaxMessageSize(max)
                .setConnectTimeout(connectMillis));
        ClientWebSocket socket = client.webSocket();
        // Handlers go on before connecting, so no frame from the server goes unseen.
        WebSocketTransport transport = new WebSocketTransport(socket, max,
                Keepalive.ofClient(options.pingInterval(), options.serverTimeout()).orElse(null));
        WebSocketConnectOptions connect = new WebSocketConnectOptions()
                .setAbsoluteURI(uri.toString())
                .setConnectTimeout(connectMillis)
                .setTimeout(connectMillis);
        options.headers().forEach(connect::addHeader);
        tlsOptions(options).ifPresent(connect::setSslOptions);
        ProxyRoute proxy = ProxyRoute.of(options, uri).orElse(null);
        if (proxy != null) {
            connect.setProxyOptions(proxyOptions(proxy, connectMillis));
        }
        Executor executor = completer(options);
        CompletableFuture<RpcSession> result = new CompletableFuture<>();
        socket.connect(connect).onComplete(ar -> {
            if (ar.failed()) {
                client.close();
                lease.release();
                Throwable e = ar.cause();
                String why = through(proxy, e, e instanceof UpgradeRejectedException
                        ? upgradeRefusal((UpgradeRejectedException) e) : e instanceof WebSocketClientHandshakeException
                        ? handshakeFailure((WebSocketClientHandshakeException) e) : failureReason(e, uri));
                // As the Jetty transport words it, so that CapnWeb.connect passes it on as it is.
                executor.execute(() -> result.completeExceptionally(RpcException.received("Error",
                        "Could not open a WebSocket to " + uri + ": " + why + ".", Map.of(), Optional.empty(),
                        Optional.of(e))));
                return;
            }
            transport.socketClosed().whenComplete((v, e) -> {
                client.close();
                lease.release();
            });
            transport.startKeepalive();
            executor.execute(() -> {
                try {
                    Object main = options.localMain().orElse(Undefined.INSTANCE);
                    RpcSession session = engine.newSession(transport, main, options.sessionOptions());
                    if (!result.complete(session)) {
                        session.close();
                    }
                } catch (RuntimeException e) {
                    transport.close();
                    result.completeExceptionally(e);
                }
            });
        });
        return result;
    }

    private static RpcSession batch(VertxLease lease, URI uri, ClientOptions options, RpcEngine engine) {
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, options.connectTimeout().toMillis()));
        HttpClientAgent http = lease.batchHttpClient();
        String target = uri.toString();
        io.vertx.core.Context context = lease.vertx().getOrCreateContext();
        ClientSSLOptions tls = tlsOptions(options).orElse(null);
        ProxyRoute proxy = ProxyRoute.of(options, uri).orElse(null);
        ProxyOptions proxyOptions = proxy == null ? null : proxyOptions(proxy, connectMillis);
        // As the Jetty client: a response may hold three messages' worth, no more.
        long maxResponseBytes = Math.min(Integer.MAX_VALUE - 8, 3L * options.sessionOptions().maxMessageSize());
        HttpBatchPoster poster = body -> {
            Promise<String> result = Promise.promise();
            RequestOptions request = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setAbsoluteURI(target)
                    .setConnectTimeout(connectMillis)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
            options.headers().forEach(request::putHeader);
            if (tls != null) {
                request.setSslOptions(tls);
            }
            if (proxyOptions != null) {
                request.setProxyOptions(proxyOptions);
            }
            // Issued from the session's event-loop context, so that the connection, the response
            // and the callbacks below share one thread: body() is then registered before any of
            // the body can arrive. Issued from a plain thread, the callbacks ran on another event
            // loop, and a small response sometimes ended before body() was registered (an empty
            // body: about one request in 600). Completed on the event loop: the engine hands the
            // response to the session's executor itself, or with directExecutor() handles it
            // here, as a WebSocket session's messages are; a hop to another thread first would
            // only add a wake-up per batch.
            context.runOnContext(v -> http.request(request)
                    .compose(req -> {
                        Future<Void> sent = req.end(body);
                        // Netty's parser fails a response that is not HTTP with its own words
                        // ("invalid version format: HELLO", or a line too long); once the request
                        // went out whole, such a failure can only be the answer's. (A failed TLS
                        // handshake is another DecoderException, worded by failureReason.)
                        return req.response().recover(e -> Future.failedFuture(sent.succeeded()
                                && (e instanceof IllegalArgumentException || e instanceof TooLongFrameException)
                                ? new BatchAnswer("The Cap'n Web batch request to " + target + " failed: the server's "
                                        + "response is not valid HTTP.") : e));
                    })
                    .compose(response -> responseBody(response, target, maxResponseBytes, proxy))
                    .recover(e -> Future.failedFuture(e instanceof BatchAnswer ? e : new IOException(
                            "The Cap'n Web batch request to " + target + " failed: " + through(proxy, e, e instanceof
                                    HttpClosedException ? "the server closed the connection before its whole response "
                                    + "arrived" : failureReason(e, uri)) + ".", e)))
                    .onComplete(result));
            return result.future().toCompletionStage();
        };
        try {
            RpcSession session = engine.newBatchClient(poster, options.localMain().orElse(Undefined.INSTANCE),
                    options.sessionOptions());
            session.closed().whenComplete((v, e) -> lease.release());
            return session;
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
    }

    /**
     * Why a connection failed. Under TLS 1.3 a server checks the client's certificate after the
     * client's side of the handshake is done, and its alert may be lost as it closes the
     * connection: Netty then names only the close, so over TLS the likely cause is added.
     */
    private static String failureReason(Throwable failure, URI uri) {
        String why = TransportText.failureReason(failure);
        boolean tls = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        if (tls && !why.startsWith("the TLS handshake failed") && why.toLowerCase(Locale.ROOT).contains("closed")) {
            return why + " (a server that requires a client certificate closes the connection so when it gets none "
                    + "it trusts: if this one does, give the client its key and certificate with ClientOptions.tlsKeys)";
        }
        return why;
    }

    /**
     * The TLS settings for {@link ClientOptions#tlsTrust()} and {@link ClientOptions#tlsKeys()},
     * if either is set; the host name is still checked, and a part not set is the JVM's default.
     */
    private static Optional<ClientSSLOptions> tlsOptions(ClientOptions options) {
        if (options.tlsTrust().isEmpty() && options.tlsKeys().isEmpty()) {
            return Optional.empty();
        }
        ClientSSLOptions tls = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
        options.tlsTrust().ifPresent(trust -> tls.setTrustOptions(TrustOptions.wrap(trust)));
        options.tlsKeys().ifPresent(keys -> tls.setKeyCertOptions(KeyCertOptions.wrap(keys)));
        return Optional.of(tls);
    }

    /** The options that send a connection through {@code route}. */
    private static ProxyOptions proxyOptions(ProxyRoute route, int connectMillis) {
        ProxyOptions proxy = new ProxyOptions()
                .setType(route.kind() == ProxyRoute.Kind.SOCKS5 ? ProxyType.SOCKS5 : ProxyType.HTTP)
                .setHost(route.host())
                .setPort(route.port())
                .setConnectTimeout(Duration.ofMillis(connectMillis));
        route.username().ifPresent(proxy::setUsername);
        route.password().ifPresent(password -> proxy.setPassword(new String(password)));
        return proxy;
    }

    /**
     * Why a connection failed, with the proxy it went through if any: a proxy's refusal is worded
     * from what Netty reports ("http, none, /proxy => /server, status: 407 ...", or "socks5,
     * password, ..., authStatus: ..." for a SOCKS5 proxy that refused the credentials).
     */
    private static String through(ProxyRoute proxy, Throwable failure, String why) {
        if (proxy == null) {
            return why;
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (!(t instanceof ProxyConnectException)) {
                continue;
            }
            String message = String.valueOf(t.getMessage());
            Matcher status = TUNNEL_STATUS.matcher(message);
            if (proxy.kind() == ProxyRoute.Kind.HTTP && status.find()) {
                return proxy.tunnelRefused(Integer.parseInt(status.group(1)), status.group(2));
            }
            if (proxy.kind() == ProxyRoute.Kind.SOCKS5 && (message.contains("authStatus") || message.contains("authMethod"))) {
                return proxy.credentialsRefused();
            }
        }
        return proxy.failureReason(why);
    }

    /** The status in Netty's message for an HTTP proxy's refused tunnel. */
    private static final Pattern TUNNEL_STATUS = Pattern.compile("status: (\\d{3})(?: (.*))?$");

    /** @return an HTTP status answered through the proxy, if any */
    private static String answered(ProxyRoute proxy, int status, String refusal) {
        return proxy == null ? refusal : proxy.answered(status, refusal);
    }

    /** What the server answered a batch with, already worded: passed on as it is. */
    private static final class BatchAnswer extends IOException {
        BatchAnswer(String message) {
            super(message);
        }
    }

    /**
     * The text of a 200 response, or a failure that says what the server answered instead: a
     * refusal's status and sentence, a body larger than {@code maxBytes} (not read to its end; the
     * connection is dropped), or one that is not UTF-8.
     */
    private static Future<String> responseBody(HttpClientResponse response, String target, long maxBytes,
            ProxyRoute proxy) {
        int status = response.statusCode();
        if (status != 200) {
            LOG.log(System.Logger.Level.DEBUG, () -> "batch request answered " + status);
            // A refusal's sentence is short: a body much longer is not quoted, nor read to its end.
            return readAtMost(response, 64 * 1024).transform(body -> Future.failedFuture(new BatchAnswer(
                    "The Cap'n Web batch request to " + target + " failed with " + answered(proxy, status,
                            TransportText.httpRefusal(status, response.statusMessage(),
                                    response.getHeader(HttpHeaders.CONTENT_TYPE), body.succeeded() && body.result() != null
                                            ? body.result().toString(StandardCharsets.UTF_8) : null)) + ".")));
        }
        return readAtMost(response, maxBytes).compose(body -> {
            if (body == null) {
                return Future.failedFuture(new BatchAnswer("The Cap'n Web batch response from " + target
                        + " is larger than " + maxBytes + " bytes, three times SessionOptions.maxMessageSize, so it "
                        + "was not read to its end."));
            }
            String text = TransportText.strictUtf8(body.toString(StandardCharsets.UTF_8), body::getBytes);
            return text != null ? Future.succeededFuture(text) : Future.failedFuture(new BatchAnswer(
                    "The Cap'n Web batch response from " + target + " is not UTF-8."));
        });
    }

    /**
     * The body of a response, or null if it is longer than {@code maxBytes}; then the rest is not
     * read and the connection is closed.
     */
    private static Future<Buffer> readAtMost(HttpClientResponse response, long maxBytes) {
        Promise<Buffer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (done.future().isComplete()) {
                return;
            }
            if (body.length() + (long) chunk.length() > maxBytes) {
                done.tryComplete(null);
                response.request().connection().close();
                return;
            }
            body.appendBuffer(chunk);
        });
        response.exceptionHandler(done::tryFail);
        response.endHandler(v -> done.tryComplete(body));
        return done.future();
    }

    /**
     * Why Netty did not accept a server's 101, in words rather than its own ("Invalid challenge.
     * Actual: ... Expected: ...").
     */
    private static String handshakeFailure(WebSocketClientHandshakeException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Invalid challenge")) {
            return TransportText.UPGRADE_ACCEPT_MISMATCH;
        }
        Matcher subprotocol = CHOSEN_SUBPROTOCOL.matcher(message);
        if (subprotocol.find()) {
            return TransportText.upgradeSubprotocol(subprotocol.group(1));
        }
        return "the server's answer to the upgrade is not a WebSocket handshake (" + TransportText.failureReason(e) + ")";
    }

    /** Netty's words for a 101 that names a subprotocol the client did not offer. */
    private static final Pattern CHOSEN_SUBPROTOCOL = Pattern.compile("Invalid subprotocol\\. Actual: (.*?)\\. Expected");

    private static String upgradeRefusal(UpgradeRejectedException e) {
        Buffer body = e.getBody();
        return "the WebSocket upgrade was refused with " + TransportText.httpRefusal(e.getStatus(), null,
                e.getHeaders() == null ? null : e.getHeaders().get(HttpHeaders.CONTENT_TYPE),
                body == null ? null : body.toString(StandardCharsets.UTF_8));
    }
}
