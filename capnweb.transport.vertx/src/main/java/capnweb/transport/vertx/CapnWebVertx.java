package capnweb.transport.vertx;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.RpcEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Cap'n Web on a {@link Vertx} instance of your own: handlers to mount in your HTTP server,
 * servers and clients that run on your event loops, and a transport over any Vert.x WebSocket.
 * Nothing made here closes your {@code Vertx}.
 *
 * <pre>{@code
 * CapnWebHandler capnweb = CapnWebVertx.handler(ServerOptions.builder(MyApi::new).build());
 * vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketFrameSize(32 << 20))
 *      .requestHandler(req -> { if (req.path().equals("/rpc")) capnweb.handle(req); else other(req); })
 *      .listen(8080);
 * }</pre>
 *
 * <p>The engine is the one found on the module path unless one is passed.
 */
public final class CapnWebVertx {

    private CapnWebVertx() {
    }

    /**
     * A handler serving Cap'n Web (WebSocket and HTTP batch) for your own HTTP server.
     *
     * @param options the main factory, session options, message limit and batch headers
     * @return the handler
     */
    public static CapnWebHandler handler(ServerOptions options) {
        return handler(options, ProviderRegistry.load().engine());
    }

    /**
     * A handler serving Cap'n Web with the given engine.
     *
     * @param options the main factory, session options, message limit and batch headers
     * @param engine the engine that runs each session
     * @return the handler
     */
    public static CapnWebHandler handler(ServerOptions options, RpcEngine engine) {
        return new CapnWebHandler(options, engine);
    }

    /**
     * Starts a Cap'n Web server on your {@code Vertx}, waiting until it listens. Must not be called
     * on an event loop; use {@link #serveAsync} there.
     *
     * @param vertx your instance; closing the server leaves it running
     * @param options where to listen and what to serve
     * @return the running server
     * @throws IllegalStateException if it cannot listen, or if called on an event loop
     */
    public static RpcServer serve(Vertx vertx, ServerOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(options, "options");
        return VertxRpcServer.startAndWait(VertxLease.borrowed(vertx), options, ProviderRegistry.load().engine());
    }

    /**
     * Starts a Cap'n Web server on your {@code Vertx} without blocking.
     *
     * @param vertx your instance; closing the server leaves it running
     * @param options where to listen and what to serve
     * @return a stage completing with the running server
     */
    public static CompletionStage<RpcServer> serveAsync(Vertx vertx, ServerOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(options, "options");
        return VertxRpcServer.start(VertxLease.borrowed(vertx), options, ProviderRegistry.load().engine());
    }

    /**
     * Connects to a Cap'n Web peer from your {@code Vertx}: WebSocket for {@code ws:}/{@code wss:},
     * HTTP batch for {@code http:}/{@code https:}. The stage completes off the event loop.
     *
     * @param vertx your instance
     * @param uri the peer's endpoint
     * @param options the client settings
     * @return a stage completing with the open session
     */
    public static CompletionStage<RpcSession> connect(Vertx vertx, URI uri, ClientOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        return VertxClients.connect(VertxLease.borrowed(vertx), uri, options, ProviderRegistry.load().engine());
    }

    /**
     * A Cap'n Web message transport over a WebSocket you opened yourself: one text frame is one
     * message; binary frames and messages over {@code maxMessageSize} bytes abort the session.
     * Call it on the socket's event loop right after the socket opened (in the handler or the
     * completion of the connect), before any frame can arrive; then hand it to
     * {@link capnweb.api.CapnWeb#newSession(MessageTransport, Object)}.
     *
     * @param socket the open socket; the transport installs its frame, close and exception handlers
     * @param maxMessageSize the largest message accepted, in bytes
     * @return the transport
     */
    public static MessageTransport transport(WebSocketBase socket, int maxMessageSize) {
        return new WebSocketTransport(socket, maxMessageSize);
    }
}
