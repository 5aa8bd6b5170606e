package capnweb.transport.jetty;

import capnweb.api.ClientOptions;
import capnweb.api.RpcException;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcTimeoutException;
import capnweb.api.ServerOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.Availability;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.Keepalive;
import capnweb.api.spi.ProxyRoute;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportProvider;
import capnweb.api.spi.TransportText;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.JettyUpgradeListener;

/**
 * Cap'n Web over Jetty 12: WebSocket and HTTP batch, client and server. Found with
 * {@link java.util.ServiceLoader} under the name {@value #NAME}.
 */
public final class JettyTransportProvider implements TransportProvider {
    /** The name users choose this transport by. */
    public static final String NAME = "jetty";

    /** Creates the provider; ServiceLoader calls this. */
    public JettyTransportProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Jetty is the default choice when several transports are present. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        try {
            Class.forName("org.eclipse.jetty.websocket.client.WebSocketClient", false,
                    JettyTransportProvider.class.getClassLoader());
            Class.forName("org.eclipse.jetty.websocket.server.ServerWebSocketContainer", false,
                    JettyTransportProvider.class.getClassLoader());
            return Availability.ok();
        } catch (ClassNotFoundException | LinkageError e) {
            return Availability.unavailable("Jetty 12's WebSocket jars are missing (" + e.getMessage()
                    + "); add org.eclipse.jetty.websocket:jetty-websocket-jetty-server and "
                    + "jetty-websocket-jetty-client to the module path.");
        }
    }

    @Override
    public RpcServer serve(ServerOptions options, RpcEngine engine) {
        return JettyRpcServer.start(options, engine);
    }

    @Override
    public CompletionStage<RpcSession> connect(URI uri, ClientOptions options, RpcEngine engine) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(engine, "engine");
        String scheme = Optional.ofNullable(uri.getScheme()).map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
        Object localMain = options.localMain().orElse(Undefined.INSTANCE);
        try {
            switch (scheme) {
                case "ws":
                case "wss":
                    return connectWebSocket(uri, options, engine, localMain);
                case "http":
                case "https":
                    return CompletableFuture.completedFuture(batch(uri, options, engine, localMain));
                default:
                    return CompletableFuture.failedFuture(new IllegalArgumentException("Cannot connect to " + uri
                            + ": Cap'n Web connects to ws:, wss: (WebSocket) or http:, https: (HTTP batch) URIs."));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletionStage<RpcSession> connectWebSocket(URI uri, ClientOptions options, RpcEngine engine,
            Object localMain) {
        CompletableFuture<RpcSession> result = new CompletableFuture<>();
        // A message of n UTF-16 code units takes at most 3n bytes of UTF-8; the engine checks
        // the exact limit.
        long maxBytes = Math.min(Integer.MAX_VALUE, 3L * options.sessionOptions().maxMessageSize());
        // No idle timeout on the client side, as in browsers: the server decides when a silent
        // session has lasted long enough.
        WebSocketTransport socket = new WebSocketTransport(maxBytes, Duration.ZERO,
                Keepalive.ofClient(options.pingInterval(), options.serverTimeout()).orElse(null), t -> {
            RpcSession session;
            try {
                session = engine.newSession(t, localMain, options.sessionOptions());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                throw e;
            }
            if (!result.complete(session)) {
                // The caller gave up (timeout); nobody will close this session but us.
                session.close();
            }
        }, t -> result.completeExceptionally(new IOException("The WebSocket to " + uri + " closed while opening.")));
        JettyClients.Use use;
        try {
            use = JettyClients.use(options, uri);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        JettyClients clients = use.clients();
        // Let go once the socket has ended, or once connecting failed and it never will.
        socket.ended().whenComplete((v, e) -> use.release().run());
        result.whenComplete((s, e) -> {
            if (e != null) {
                use.release().run();
            }
        });
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        options.headers().forEach(request::setHeader);
        long timeoutMillis = Math.max(1, options.connectTimeout().toMillis());
        // No Jetty request timeout: the timer below enforces the connect timeout with a clearer
        // error, and Jetty keeps an upgrade's timeout task (and through it the whole connection)
        // scheduled after the upgrade succeeded, until it expires.
        CompletableFuture<?> connecting;
        RefusedUpgrade refusal = new RefusedUpgrade();
        try {
            connecting = clients.webSocket.connect(socket, request, refusal);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(connectFailure(uri, e, null, clients.proxy()));
            return result;
        }
        connecting.whenComplete((s, e) -> {
            if (e != null) {
                result.completeExceptionally(connectFailure(uri, e, refusal.describe(), clients.proxy()));
            }
        });
        // Cancelled once connecting settles: a pending timer would keep the whole connection
        // reachable for the rest of the connect timeout, even after the session closed.
        Scheduler.Task timer = clients.http.getScheduler().schedule(() -> {
            if (result.completeExceptionally(RpcTimeoutException.after("a WebSocket connection to " + uri,
                    options.connectTimeout()))) {
                connecting.cancel(true);
                socket.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        result.whenComplete((s, e) -> timer.cancel());
        return result;
    }

    /**
     * @param refusal the server's answer to the upgrade if it answered with another status, else null
     * @param proxy the proxy the connection went through, or null
     */
    private static RuntimeException connectFailure(URI uri, Throwable e, String refusal, ProxyRoute proxy) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        // Jetty gives an answer it could not parse a status of its own (400 and the parser's
        // complaint), which is no refusal of the server's.
        String why = refusal != null && !unparsable(cause)
                ? "the WebSocket upgrade was refused with " + refusal
                : upgradeFailure(cause);
        if (proxy != null) {
            why = throughProxy(proxy, cause, why);
        }
        // Worded as the Vert.x transport words it, so that CapnWeb.connect passes it on as it is.
        return RpcException.received("Error", "Could not open a WebSocket to " + uri + ": " + why + ".",
                Map.of(), Optional.empty(), Optional.of(cause));
    }

    /**
     * Why an upgrade failed, in words rather than Jetty's, whose messages for a 101 it does not
     * accept name its exception classes or dump its connection objects.
     */
    private static String upgradeFailure(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("Invalid Sec-WebSocket-Accept")) {
                return TransportText.UPGRADE_ACCEPT_MISMATCH;
            }
            Matcher subprotocol = CHOSEN_SUBPROTOCOL.matcher(message);
            if (subprotocol.find()) {
                return TransportText.upgradeSubprotocol(subprotocol.group(1));
            }
            if (t instanceof HttpResponseException) {
                return TransportText.UPGRADE_NOT_HTTP;
            }
        }
        return unparsable(failure) ? TransportText.UPGRADE_NOT_HTTP : TransportText.failureReason(failure);
    }

    /** Whether Jetty failed because the server's answer was not HTTP it could parse. */
    private static boolean unparsable(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof HttpException || String.valueOf(t.getMessage()).contains("HTTP protocol violation")) {
                return true;
            }
        }
        return false;
    }

    /** Jetty's words for a 101 that names a subprotocol the client did not offer. */
    private static final Pattern CHOSEN_SUBPROTOCOL = Pattern.compile(
            "subprotocol \\[([^\\]]*)\\] not found");

    /**
     * Keeps the status and the start of the body of a response that refused an upgrade: Jetty's
     * own failure names only the status, and the server's sentence (a Cap'n Web server's refusal
     * says what to do) is the useful part.
     */
    private static final class RefusedUpgrade implements JettyUpgradeListener {
        private static final int KEPT_BODY_BYTES = 4096;
        private int status;
        private String reason;
        private String contentType;
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();

        @Override
        public void onHandshakeRequest(Request request) {
            request.onResponseHeaders(response -> {
                synchronized (this) {
                    status = response.getStatus();
                    reason = response.getReason();
                    contentType = response.getHeaders().get(HttpHeader.CONTENT_TYPE);
                }
            });
            request.onResponseContent((response, content) -> {
                synchronized (this) {
                    byte[] kept = new byte[Math.min(content.remaining(), KEPT_BODY_BYTES - body.size())];
                    content.slice().get(kept); // leaves the content's position to Jetty
                    body.write(kept, 0, kept.length);
                }
            });
        }

        /** @return the refusal, as {@link TransportText#httpRefusal} words it, or null if there was none */
        synchronized String describe() {
            if (status == 0 || status == 101) {
                return null;
            }
            return TransportText.httpRefusal(status, reason, contentType, body.toString(StandardCharsets.UTF_8));
        }
    }

    private static RpcSession batch(URI uri, ClientOptions options, RpcEngine engine, Object localMain) {
        JettyClients.Use use = JettyClients.use(options, uri);
        try {
            RpcSession session = engine.newBatchClient(poster(uri, options, use.clients()), localMain,
                    options.sessionOptions());
            session.closed().whenComplete((v, e) -> use.release().run());
            return session;
        } catch (RuntimeException e) {
            use.release().run();
            throw e;
        }
    }

    /** Why a batch request failed, with the proxy it went through if any. */
    private static String batchFailure(Throwable cause, long maxBytes, ProxyRoute proxy) {
        String why = batchFailure(cause, maxBytes);
        return proxy == null ? why : throughProxy(proxy, cause, why);
    }

    /**
     * Why a connection through {@code proxy} failed: the proxy's refusal, worded from what Jetty
     * reports, or {@code why} and the proxy it went through.
     */
    private static String throughProxy(ProxyRoute proxy, Throwable failure, String why) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof HttpResponseException) {
                Response response = ((HttpResponseException) t).getResponse();
                if (response != null && HttpMethod.CONNECT.is(response.getRequest().getMethod())) {
                    return proxy.tunnelRefused(response.getStatus(), response.getReason());
                }
            }
        }
        // Jetty's words for a SOCKS5 proxy that refused the credentials, or wants some.
        if (proxy.kind() == ProxyRoute.Kind.SOCKS5 && why.contains("authentication")) {
            return proxy.credentialsRefused();
        }
        return proxy.failureReason(why);
    }

    /**
     * Why a batch request failed, in words rather than Jetty's: its own messages for these name
     * the connection's objects.
     */
    private static String batchFailure(Throwable cause, long maxBytes) {
        if (cause instanceof java.io.EOFException) {
            return "the server closed the connection before its whole response arrived";
        }
        if (cause instanceof HttpResponseException) {
            return "the server's response is not valid HTTP";
        }
        // CompletableResponseListener's words when the body passes the bound it was given.
        if (cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage()).startsWith("Buffering capacity")) {
            return "the response is larger than " + maxBytes + " bytes, three times SessionOptions.maxMessageSize";
        }
        return TransportText.failureReason(cause);
    }

    private static HttpBatchPoster poster(URI uri, ClientOptions options, JettyClients clients) {
        HttpClient http = clients.http;
        ProxyRoute proxy = clients.proxy();
        long maxBytes = Math.min(Integer.MAX_VALUE - 8, 3L * options.sessionOptions().maxMessageSize());
        Map<String, String> headers = options.headers();
        Duration connectTimeout = options.connectTimeout();
        return body -> {
            Request request = http.newRequest(uri)
                    .method(HttpMethod.POST)
                    .body(new StringRequestContent("text/plain;charset=utf-8", body, StandardCharsets.UTF_8));
            if (!headers.isEmpty()) {
                request.headers(h -> headers.forEach(h::put));
            }
            // Jetty's connect timeout is one for the whole HttpClient, which sessions share; this
            // is the session's own, over once the request starts out on a connection.
            Scheduler.Task giveUp = http.getScheduler().schedule(() -> request.abort(new SocketTimeoutException(
                    "connecting took longer than ClientOptions.connectTimeout (" + connectTimeout.toMillis() + " ms)")),
                    Math.max(1, connectTimeout.toMillis()), TimeUnit.MILLISECONDS);
            request.onRequestBegin(r -> giveUp.cancel());
            return new CompletableResponseListener(request, (int) maxBytes).send()
                    .handle((response, failure) -> {
                        giveUp.cancel();
                        if (failure != null) {
                            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                    ? failure.getCause() : failure;
                            throw new CompletionException(new IOException("The Cap'n Web batch request to " + uri
                                    + " failed: " + batchFailure(cause, maxBytes, proxy) + ".", cause));
                        }
                        if (response.getStatus() != 200) {
                            String refusal = TransportText.httpRefusal(response.getStatus(), response.getReason(),
                                    response.getMediaType(), response.getContentAsString());
                            throw new CompletionException(new IOException("The Cap'n Web batch request to " + uri
                                    + " failed with " + (proxy == null ? refusal
                                            : proxy.answered(response.getStatus(), refusal)) + "."));
                        }
                        String text = TransportText.strictUtf8(response.getContent());
                        if (text == null) {
                            throw new CompletionException(new IOException("The Cap'n Web batch response from " + uri
                                    + " is not UTF-8."));
                        }
                        return text;
                    });
        };
    }
}
