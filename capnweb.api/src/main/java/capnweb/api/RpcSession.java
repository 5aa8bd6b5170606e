package capnweb.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One Cap'n Web session with one peer: the peer's main object, the tables of references both
 * ways, and the calls in flight.
 *
 * <p>Both sides are equal: each exposes a main object and may call the other's. Closing the
 * session ends it cleanly; when the connection is lost instead, every pending call rejects with
 * an error saying so, every stub of the peer breaks (their {@code onBroken} callbacks run), and
 * everything this side exported is released. Sessions are thread-safe.
 */
public interface RpcSession extends AutoCloseable {

    /**
     * The peer's main object. Each call returns a new stub, which the caller closes when done.
     *
     * @return a stub for the peer's main object
     */
    RpcStub main();

    /**
     * The peer's main object viewed as the application's interface {@code type}: the same as
     * {@code main().as(type)} (see {@link RpcStub#as(Class)}). Close it (if {@code type} extends
     * {@link AutoCloseable}) or close the session when done.
     *
     * @param type the interface to implement
     * @param <T> the interface type
     * @return a typed proxy over a new stub for the peer's main object
     */
    default <T> T main(Class<T> type) {
        return main().as(type);
    }

    /**
     * Asks for the results of all {@code promises} at once and completes with them, in the same
     * order, once every one has arrived; if any failed, completes exceptionally (as
     * {@link CompletableFuture#allOf} does) once all have settled.
     *
     * <p>Over HTTP batch this is the sure way to get several results from one batch: they are all
     * asked for in one step of the session, so the batch cannot go out between them. Asking for
     * them one by one ({@code toCompletableFuture()} on each) relies on the batch's quiet period,
     * which a paused thread can outlast. Over WebSocket it is the same as awaiting each.
     *
     * @param promises promises of this session
     * @return a future of the results
     */
    default CompletableFuture<List<Object>> whenAll(List<? extends RpcPromise> promises) {
        List<CompletableFuture<Object>> futures = new ArrayList<>(promises.size());
        for (RpcPromise promise : promises) {
            futures.add(promise.toCompletableFuture());
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Object> results = new ArrayList<>(futures.size());
            for (CompletableFuture<Object> future : futures) {
                results.add(future.join());
            }
            return results;
        });
    }

    /**
     * As {@link #whenAll(List)}.
     *
     * @param promises promises of this session
     * @return a future of the results
     */
    default CompletableFuture<List<Object>> whenAll(RpcPromise... promises) {
        return whenAll(List.of(promises));
    }

    /**
     * Over HTTP batch, sends the batch now: every call issued so far, with the results asked for
     * so far, travels in this session's one request, without waiting for the quiet period that
     * otherwise follows the last call or completion callback. What is issued or asked for
     * afterwards is not sent, and fails with "Batch RPC request ended.". Sending twice, or after
     * the batch has gone, does nothing; so does this method on a WebSocket session, whose
     * messages go out as they are made.
     *
     * <p>Call it once the batch's calls are issued and their results asked for, for example after
     * {@link #whenAll}, when the quiet period's delay matters.
     */
    default void sendBatch() {
    }

    /**
     * How many entries the import and export tables hold now.
     *
     * @return the counts
     */
    SessionStats stats();

    /**
     * Completes once every call the peer made has finished and every promise the peer waits for
     * has been resolved and sent.
     *
     * @return a stage that completes when the session is drained
     */
    CompletionStage<Void> drain();

    /**
     * Completes when the session has ended: normally after {@link #close()} or a clean end of the
     * transport, exceptionally with the reason if it was aborted or the connection was lost.
     *
     * @return a stage that completes when the session ends
     */
    CompletionStage<Void> closed();

    /** @return whether the session is still open */
    boolean isOpen();

    /**
     * Ends the session and closes the transport. Pending calls reject. Closing twice does nothing.
     */
    @Override
    void close();

    /**
     * Ends the session like {@link #close()}, then waits up to {@code timeout} for the transport
     * to finish closing.
     *
     * @param timeout how long to wait
     * @return whether the transport closed within the timeout
     */
    boolean close(Duration timeout);

    /**
     * Aborts the session: sends the peer an {@code abort} message carrying {@code reason}, then
     * closes the transport. Pending calls reject with {@code reason}.
     *
     * @param reason why the session is aborted; sent to the peer (without a stack)
     */
    void abort(Throwable reason);

    /**
     * The stubs and promises of this session that the application holds and has not closed
     * (promises that were awaited do not count: their result is released when it arrives), each
     * described with the stack trace of its creation. Empty unless
     * {@link SessionOptions.Builder#trackStubLeaks(boolean)} is on. After the session ended,
     * these are the leaks it reported.
     *
     * @return one description per unclosed stub, oldest first
     */
    default java.util.List<String> unclosedStubs() {
        return java.util.List.of();
    }

    /**
     * The HTTP request that opened this session on a server: its WebSocket upgrade, or its HTTP
     * batch's POST. What a {@link CallInterceptor} reads through {@link CallInterceptor.Call#session()}
     * to decide by who is calling: a header, the client's address, its certificate.
     *
     * <p>A server's transport describes the request for a session only when something will read
     * it, since describing costs every HTTP batch some time: when the server's main object
     * factory reads the request ({@link ServerOptions#builderWithRequest}) or its session options
     * set interceptors ({@link SessionOptions.Builder#interceptor}). Otherwise, and for the
     * sessions of clients, it is empty.
     *
     * @return the request, if this session has one
     */
    default java.util.Optional<SessionRequest> request() {
        return java.util.Optional.empty();
    }
}
