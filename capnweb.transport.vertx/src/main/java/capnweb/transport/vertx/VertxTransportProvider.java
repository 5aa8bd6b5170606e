package capnweb.transport.vertx;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import capnweb.api.spi.Availability;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportProvider;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The Vert.x transport, found with {@link java.util.ServiceLoader} under the name
 * {@value #NAME}. Its priority ({@value #PRIORITY}) is below Jetty's, so with both on the module
 * path Jetty is chosen unless {@code vertx} is asked for by name.
 *
 * <p>Servers and clients started through it run on a Vert.x instance the transport makes and
 * closes: one per server, and one shared by all clients (daemon threads), closed with the last
 * client. To run on an application's own {@code Vertx}, use {@link CapnWebVertx}.
 */
public final class VertxTransportProvider implements TransportProvider {
    /** The provider's name. */
    public static final String NAME = "vertx";
    /** The provider's priority: below Jetty's 10. */
    public static final int PRIORITY = 5;

    /** Made by {@link java.util.ServiceLoader}. */
    public VertxTransportProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        ClassLoader loader = VertxTransportProvider.class.getClassLoader();
        for (String[] needed : new String[][] {
                {"io.vertx.core.Vertx", "Vert.x core (io.vertx:vertx-core)"},
                {"io.netty.handler.codec.http.websocketx.WebSocketFrame", "Netty's HTTP codec (io.netty:netty-codec-http)"}}) {
            try {
                Class.forName(needed[0], false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return Availability.unavailable(needed[1] + " is not on the module path or class path; add it "
                        + "beside capnweb-transport-vertx.");
            }
        }
        return Availability.ok();
    }

    @Override
    public RpcServer serve(ServerOptions options, RpcEngine engine) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(engine, "engine");
        return VertxRpcServer.startAndWait(VertxLease.forServer(), options, engine);
    }

    @Override
    public CompletionStage<RpcSession> connect(URI uri, ClientOptions options, RpcEngine engine) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(engine, "engine");
        return VertxClients.connect(VertxLease.forClient(), uri, options, engine);
    }
}
