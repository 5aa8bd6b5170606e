package capnweb.transport.vertx;

import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportText;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;

/** A Cap'n Web server on a Vert.x HTTP server of its own: one port, one path, both endpoints. */
final class VertxRpcServer implements RpcServer {
    private static final System.Logger LOG = System.getLogger(VertxRpcServer.class.getName());

    private final VertxLease lease;
    private final HttpServer server;
    private final CapnWebHandler handler;
    private final String host;
    private final String path;
    private final String scheme;
    private final int port;
    /** The TLS options it was started with, whose key {@link #updateTlsKeys} may change; null without TLS. */
    private final ServerSSLOptions tls;
    private final Object closeLock = new Object();
    private CompletableFuture<Boolean> closing;

    private VertxRpcServer(VertxLease lease, HttpServer server, CapnWebHandler handler, ServerOptions options,
            ServerSSLOptions tls) {
        this.lease = lease;
        this.server = server;
        this.handler = handler;
        this.host = options.host();
        this.path = options.path();
        this.scheme = options.tlsKeys().isPresent() ? "https" : "http";
        this.port = server.actualPort();
        this.tls = tls;
    }

    /**
     * Starts listening.
     *
     * @return a stage completing with the running server, or exceptionally with a sentence saying
     *     why it could not listen
     */
    static CompletionStage<RpcServer> start(VertxLease lease, ServerOptions options, RpcEngine engine) {
        CapnWebHandler handler = new CapnWebHandler(options, engine);
        HttpServerOptions http = new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setMaxWebSocketFrameSize(options.maxMessageSize())
                .setMaxWebSocketMessageSize(options.maxMessageSize())
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, options.idleTimeout().toMillis())))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // Compressed frames would let a small frame inflate past the limit after the
                // size check; the reference's servers do not compress either.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                // Answered by the handler once the declared length is known to fit.
                .setHandle100ContinueAutomatically(false);
        options.tlsKeys().ifPresent(keys -> http.setSsl(true).setKeyCertOptions(KeyCertOptions.wrap(keys)));
        options.tlsClientTrust().ifPresent(trust -> http
                .setClientAuth(options.tlsClientCertificatesRequired() ? ClientAuth.REQUIRED : ClientAuth.REQUEST)
                .setTrustOptions(TrustOptions.wrap(trust)));
        HttpServer server = lease.vertx().createHttpServer(http);
        if (options.maxConnections() != Integer.MAX_VALUE) {
            ConnectionLimit connections = new ConnectionLimit(options.maxConnections());
            server.connectionHandler(connections::opened);
            handler.onUpgradedConnectionClosed(connections::closed);
        }
        String path = options.path();
        server.requestHandler(request -> {
            if (path.equals(request.path())) {
                handler.handle(request);
            } else {
                request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .end(TransportText.notFound(path));
            }
        });
        server.invalidRequestHandler(VertxRpcServer::answerUnreadable);
        CompletableFuture<RpcServer> result = new CompletableFuture<>();
        server.listen().onComplete(ar -> {
            if (ar.succeeded()) {
                VertxRpcServer s = new VertxRpcServer(lease, server, handler, options,
                        http.isSsl() ? new ServerSSLOptions(http.getSslOptions()) : null);
                LOG.log(System.Logger.Level.DEBUG, () -> "Cap'n Web (Vert.x) listening on " + s.uri());
                result.complete(s);
            } else {
                lease.release();
                result.completeExceptionally(new IllegalStateException("Could not listen on " + options.host() + ":"
                        + options.port() + ": " + ar.cause().getMessage()
                        + ". Choose another port, or 0 for any free one.", ar.cause()));
            }
        });
        return result;
    }

    /** Starts listening and waits for it. */
    static RpcServer startAndWait(VertxLease lease, ServerOptions options, RpcEngine engine) {
        if (Context.isOnEventLoopThread()) {
            lease.release();
            throw new IllegalStateException("Starting a server blocks until it listens, which would block a Vert.x "
                    + "event loop; use CapnWebVertx.serveAsync from an event loop.");
        }
        try {
            return start(lease, options, engine).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lease.release();
            throw new IllegalStateException("Interrupted while starting the Cap'n Web server.", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException) cause
                    : new IllegalStateException(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            lease.release();
            throw new IllegalStateException("The Cap'n Web server did not start listening within 30 seconds.", e);
        }
    }

    /**
     * Answers a request Netty could not parse as Vert.x does (414, 431 or 400, then closes the
     * connection), with a sentence rather than an empty body.
     */
    private static void answerUnreadable(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(TransportText.unreadableRequest(status, cause == null ? null : cause.getMessage()))
                .onComplete(ar -> request.connection().close());
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public URI uri() {
        String h = host;
        if (h.equals("0.0.0.0") || h.isEmpty()) {
            h = "127.0.0.1";
        } else if (h.equals("::") || h.equals("[::]")) {
            h = "[::1]";
        } else if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return URI.create(scheme + "://" + h + ":" + port + path);
    }

    @Override
    public String transport() {
        return VertxTransportProvider.NAME;
    }

    @Override
    public int openSessions() {
        return handler.openSessions();
    }

    @Override
    public CompletionStage<Void> updateTlsKeys(KeyManagerFactory keys) {
        Objects.requireNonNull(keys, "keys");
        if (tls == null) {
            throw new IllegalStateException("This server does not serve TLS; start it with ServerOptions.tls(...) "
                    + "to serve, and then update, a key.");
        }
        synchronized (closeLock) {
            if (closing != null) {
                return CompletableFuture.failedFuture(new IllegalStateException(TransportText.CLOSED_SERVER_KEYS));
            }
        }
        // The options the server was started with, the client trust of mutual TLS included, with the new key.
        ServerSSLOptions ssl = new ServerSSLOptions(tls).setKeyCertOptions(KeyCertOptions.wrap(keys));
        CompletableFuture<Void> updated = new CompletableFuture<>();
        server.updateSSLOptions(ssl, true).onComplete(ar -> {
            if (ar.succeeded()) {
                updated.complete(null);
            } else {
                updated.completeExceptionally(new IllegalStateException("Could not update the server's TLS keys: "
                        + ar.cause().getMessage(), ar.cause()));
            }
        });
        return updated;
    }

    /** The handler that serves this server's path, for tests. */
    CapnWebHandler handler() {
        return handler;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    @Override
    public boolean close(Duration timeout) {
        CompletableFuture<Boolean> done = closeAsync(timeout);
        if (Context.isOnEventLoopThread()) {
            // Waiting here would stop the very event loop that closes the sockets.
            return done.isDone() && done.join();
        }
        try {
            return done.get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /**
     * Stops accepting, closes every session with a close frame, waits for them up to
     * {@code timeout}, then closes the sockets left, the HTTP server and, if it made it, Vert.x.
     *
     * @return completes with whether every session closed in time
     */
    CompletableFuture<Boolean> closeAsync(Duration timeout) {
        synchronized (closeLock) {
            if (closing != null) {
                return closing;
            }
            closing = new CompletableFuture<>();
        }
        long millis = Math.max(0, timeout.toMillis());
        CompletableFuture<Void> sessions = handler.close();
        CompletableFuture<Boolean> inTime = sessions.thenApply(v -> true)
                .completeOnTimeout(false, millis, TimeUnit.MILLISECONDS);
        inTime.thenCompose(ok -> {
            if (!ok) {
                LOG.log(System.Logger.Level.DEBUG, "Cap'n Web sessions did not close within " + timeout + "; closing their sockets");
                handler.forceClose();
            }
            // Chained as CompletableFutures: a Vert.x future chain would wait for a callback on
            // the event loop that closing Vert.x has just stopped.
            return server.close().toCompletionStage()
                    .handle((v, e) -> {
                        if (e != null) {
                            LOG.log(System.Logger.Level.WARNING, "The Vert.x HTTP server did not close cleanly.", e);
                        }
                        return e == null;
                    })
                    .thenCompose(serverOk -> lease.release().toCompletionStage()
                            .handle((v, e) -> ok && serverOk && e == null));
        }).whenComplete((ok, e) -> closing.complete(e == null && ok));
        return closing;
    }
}
