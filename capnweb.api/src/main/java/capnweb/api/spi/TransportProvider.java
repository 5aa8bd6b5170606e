package capnweb.api.spi;

import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.ServerOptions;
import java.net.URI;
import java.util.concurrent.CompletionStage;

/**
 * A network transport for Cap'n Web: WebSocket and HTTP batch, client and server. Found with
 * {@link java.util.ServiceLoader}; the implementation class is {@code public final} with a public
 * no-argument constructor, and thread-safe.
 */
public interface TransportProvider {

    /** @return the stable name users choose it by, e.g. {@code "jetty"} */
    String name();

    /** @return the priority; when several are found the highest wins, ties by name */
    default int priority() {
        return 0;
    }

    /** @return whether this provider can work here, and why not */
    default Availability availability() {
        return Availability.ok();
    }

    /**
     * Starts a server.
     *
     * @param options what to serve and where
     * @param engine the engine that runs each session
     * @return the running server
     */
    RpcServer serve(ServerOptions options, RpcEngine engine);

    /**
     * Opens a client session: a WebSocket session for {@code ws:} and {@code wss:} URIs, an HTTP
     * batch session for {@code http:} and {@code https:} URIs.
     *
     * @param uri the peer's endpoint
     * @param options the client settings
     * @param engine the engine that runs the session
     * @return a stage completing with the open session, or exceptionally if connecting failed
     */
    CompletionStage<RpcSession> connect(URI uri, ClientOptions options, RpcEngine engine);
}
