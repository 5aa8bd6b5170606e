package capnweb.api;

import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The entry point: connect to a peer, serve peers, or run a session over a transport of your own.
 *
 * <p>The engine and the transport are found on the module path (or class path) at first use; see
 * {@link ProviderRegistry} for how one is chosen among several.
 *
 * <pre>{@code
 * try (RpcSession session = CapnWeb.connect(URI.create("ws://localhost:8080/rpc"));
 *      RpcStub api = session.main()) {
 *     Object greeting = api.call("greet", "Bob").join();
 * }
 * }</pre>
 */
public final class CapnWeb {

    private CapnWeb() {
    }

    /**
     * Runs a session over a transport of your own, exposing {@code localMain} to the peer.
     *
     * @param transport the transport
     * @param localMain an {@link RpcTarget}, {@link RpcFunction} or stub the peer can call
     * @return the open session
     */
    public static RpcSession newSession(MessageTransport transport, Object localMain) {
        return newSession(transport, localMain, SessionOptions.defaults());
    }

    /**
     * Runs a session over a transport of your own.
     *
     * @param transport the transport
     * @param localMain the object the peer can call
     * @param options the session settings
     * @return the open session
     */
    public static RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(localMain, "localMain");
        Objects.requireNonNull(options, "options");
        return ProviderRegistry.load().engine().newSession(transport, localMain, options);
    }

    /**
     * Runs a session over a transport of your own, exposing nothing to the peer.
     *
     * @param transport the transport
     * @return the open session
     */
    public static RpcSession newSession(MessageTransport transport) {
        return newSession(transport, Undefined.INSTANCE, SessionOptions.defaults());
    }

    /**
     * Connects to a peer with the default options: a WebSocket session for {@code ws:}/{@code wss:},
     * an HTTP batch session for {@code http:}/{@code https:}.
     *
     * @param uri the peer's endpoint
     * @return the open session
     * @throws RpcException if connecting failed
     */
    public static RpcSession connect(URI uri) {
        return connect(uri, ClientOptions.defaults());
    }

    /**
     * Connects to a peer, waiting at most the options' connect timeout.
     *
     * @param uri the peer's endpoint
     * @param options the client settings
     * @return the open session
     * @throws RpcException if connecting failed
     * @throws RpcTimeoutException if it took longer than the connect timeout
     */
    public static RpcSession connect(URI uri, ClientOptions options) {
        CompletionStage<RpcSession> stage = connectAsync(uri, options);
        try {
            return stage.toCompletableFuture().get(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stage.thenAccept(RpcSession::close);
            throw RpcTimeoutException.after("a connection to " + uri, options.connectTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RpcException.of("Error", "Interrupted while connecting to " + uri);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw RpcException.received("Error", "Could not connect to " + uri + ": " + cause.getMessage(),
                    java.util.Map.of(), java.util.Optional.empty(), java.util.Optional.of(cause));
        }
    }

    /**
     * Connects to a peer without blocking.
     *
     * @param uri the peer's endpoint
     * @param options the client settings
     * @return a stage completing with the open session
     */
    public static CompletionStage<RpcSession> connectAsync(URI uri, ClientOptions options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        ProviderRegistry registry = ProviderRegistry.load();
        TransportProvider transport = options.transport().isPresent()
                ? registry.transport(options.transport()) : registry.transport();
        return transport.connect(uri, options, registry.engine());
    }

    /**
     * Starts a server with WebSocket and HTTP batch endpoints.
     *
     * @param options what to serve and where
     * @return the running server
     */
    public static RpcServer serve(ServerOptions options) {
        Objects.requireNonNull(options, "options");
        ProviderRegistry registry = ProviderRegistry.load();
        TransportProvider transport = options.transport().isPresent()
                ? registry.transport(options.transport()) : registry.transport();
        return transport.serve(options, registry.engine());
    }

    /**
     * Starts an HTTP batch client session over an HTTP client of your own (the JDK's
     * {@code HttpClient}, any other): every call issued before the batch is sent travels in one
     * request, sent as {@link #connect} sessions send theirs (the first blocking wait,
     * {@link RpcSession#sendBatch()}, or 5 ms without a new call). The session ends with the
     * response. No transport is needed on the module path, only the engine.
     *
     * <pre>{@code
     * // HTTP/1.1: by default this client asks to upgrade to h2c, which a Node server refuses (405).
     * HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
     * RpcSession session = CapnWeb.newBatchSession(body -> http.sendAsync(
     *         HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString())
     *     .thenApply(response -> {
     *         if (response.statusCode() != 200) {
     *             throw new IllegalStateException("The batch was answered " + response.statusCode() + ".");
     *         }
     *         return response.body();
     *     }), Undefined.INSTANCE, SessionOptions.defaults());
     * }</pre>
     *
     * @param poster POSTs a batch's body and completes with the response body, or fails (naming
     *     the status) if the response is not 200
     * @param localMain the object the server may call during the batch, or {@link Undefined#INSTANCE}
     * @param options the session settings
     * @return the session
     */
    public static RpcSession newBatchSession(HttpBatchPoster poster, Object localMain, SessionOptions options) {
        Objects.requireNonNull(poster, "poster");
        Objects.requireNonNull(localMain, "localMain");
        Objects.requireNonNull(options, "options");
        return ProviderRegistry.load().engine().newBatchClient(poster, localMain, options);
    }

    /**
     * Serves one HTTP batch on an HTTP server of your own (a servlet, the JDK's {@code HttpServer},
     * any framework): the reference's {@code newHttpBatchRpcResponse}. Hand it the body of a POST
     * and answer {@code 200} with the text it completes with; answer other methods {@code 405}.
     * No transport is needed on the module path, only the engine.
     *
     * <p>Unless {@code options} name an executor, the batch runs on the calling thread, target
     * methods included, and the returned stage is complete when this returns (one a target left
     * pending completes later): call it from a thread that may block, never an event loop. Read
     * at most what you are willing to buffer before calling: {@link SessionOptions#maxMessageSize()}
     * bounds each message, not the body. A body that breaks the protocol is answered with what
     * was answered before the fault and an {@code abort} naming it, as the built-in servers do.
     *
     * @param requestBody the POST's body, decoded as UTF-8: newline-separated messages, empty for none
     * @param localMain the main object of this batch's session (see {@link #newSession})
     * @param options the session settings
     * @return the response body, newline-separated messages
     */
    public static CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
        Objects.requireNonNull(requestBody, "requestBody");
        Objects.requireNonNull(localMain, "localMain");
        Objects.requireNonNull(options, "options");
        return ProviderRegistry.load().engine().serveBatch(requestBody, localMain, options);
    }

    /**
     * Serves one HTTP batch with the default session settings; see
     * {@link #serveBatch(String, Object, SessionOptions)}.
     *
     * @param requestBody the POST's body: newline-separated messages, empty for none
     * @param localMain the main object of this batch's session
     * @return the response body, newline-separated messages
     */
    public static CompletionStage<String> serveBatch(String requestBody, Object localMain) {
        return serveBatch(requestBody, localMain, SessionOptions.defaults());
    }

    /**
     * The name of the transport that {@link #connect} and {@link #serve} use when none is asked
     * for, e.g. {@code "jetty"}.
     *
     * @return the transport's name
     * @throws IllegalStateException if no transport is on the module path
     */
    public static String transportName() {
        return ProviderRegistry.load().transport().name();
    }
}
