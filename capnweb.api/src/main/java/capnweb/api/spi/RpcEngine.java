package capnweb.api.spi;

import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRequest;
import java.util.concurrent.CompletionStage;

/**
 * The protocol engine: runs Cap'n Web sessions over message transports. Found with
 * {@link java.util.ServiceLoader}; the implementation class is {@code public final} with a public
 * no-argument constructor, and thread-safe.
 */
public interface RpcEngine {

    /** @return the engine's stable name, e.g. {@code "capnweb.protocol"} */
    String name();

    /** @return the engine's priority; when several are found the highest wins, ties by name */
    default int priority() {
        return 0;
    }

    /**
     * Starts a session over {@code transport}, exposing {@code localMain} to the peer.
     *
     * @param transport the transport; the session starts and ends it
     * @param localMain the main object the peer sees: an RpcTarget, an RpcFunction, a stub, or
     *     {@link capnweb.api.Undefined#INSTANCE} to expose nothing
     * @param options the session settings
     * @return the open session
     */
    RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options);

    /**
     * Starts a session for a server's transport, which also gives the request that opened it,
     * for {@link RpcSession#request()}. The default drops the request.
     *
     * @param transport the transport; the session starts and ends it
     * @param localMain the main object the peer sees (see {@link #newSession(MessageTransport, Object,
     *     SessionOptions)})
     * @param options the session settings
     * @param request the request that opened the session, or null if the transport did not describe it
     * @return the open session
     */
    default RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options,
            SessionRequest request) {
        return newSession(transport, localMain, options);
    }

    /**
     * Serves one HTTP batch: runs a session over the messages of {@code requestBody}, waits until
     * it is drained, and completes with the response body. Transports call this for each POST,
     * from a thread that may block (never an event loop): unless {@code options} name an executor,
     * the engine runs the batch on the calling thread until it is done, target methods included,
     * which saves handing it to another thread.
     *
     * @param requestBody newline-separated messages; empty means none
     * @param localMain the main object of this batch's session
     * @param options the session settings
     * <p>A transport that learns that the client went away before the answer (its connection
     * closed) cancels the returned stage ({@code toCompletableFuture().cancel(false)}): the engine
     * then ends the batch's session at once, releasing what it held, instead of finishing a batch
     * that nobody will read.
     *
     * @return the response body, newline-separated messages
     */
    CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options);

    /**
     * Serves one HTTP batch as {@link #serveBatch(String, Object, SessionOptions)} does, with the
     * request that carried it, for the batch session's {@link RpcSession#request()}. The default
     * drops the request.
     *
     * @param requestBody newline-separated messages; empty means none
     * @param localMain the main object of this batch's session
     * @param options the session settings
     * @param request the batch's POST, or null if the transport did not describe it
     * @return the response body, newline-separated messages
     */
    default CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options,
            SessionRequest request) {
        return serveBatch(requestBody, localMain, options);
    }

    /**
     * Starts a client session that travels as one HTTP batch: every message issued before the
     * batch is sent goes in one request, sent when the application first waits for a result.
     *
     * @param poster sends the request
     * @param localMain the main object the peer may call during the batch
     * @param options the session settings
     * @return the session; it ends when the response has been processed
     */
    RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options);

    /**
     * A stub of a local object, with no connection: {@link RpcStub#of(Object)}. The default says
     * this engine cannot make one.
     *
     * @param target an {@link capnweb.api.RpcTarget} or {@link capnweb.api.RpcFunction}
     * @return a stub that owns one reference to the target
     */
    default RpcStub localStub(Object target) {
        throw new UnsupportedOperationException("The engine " + name() + " cannot make local stubs.");
    }

    /**
     * A promise for what a local future completes with: {@link RpcPromise#of(CompletionStage)}.
     * The default says this engine cannot make one.
     *
     * @param future the future
     * @return a promise that calls can be pipelined on at once
     */
    default RpcPromise localPromise(CompletionStage<?> future) {
        throw new UnsupportedOperationException("The engine " + name() + " cannot make local promises.");
    }
}
