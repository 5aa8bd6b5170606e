package capnweb.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The future result of a call: a {@link CompletionStage} of the value, and at the same time a
 * stub for that value, so that calls and property reads on it are pipelined to the peer without
 * waiting for the result.
 *
 * <p>The result is only sent back when someone asks for it: registering any completion callback,
 * {@link #toCompletableFuture()} or {@link #join()} asks the peer for it ("pulls" it). Using the
 * promise only for pipelining costs no result message.
 *
 * <p>Closing a promise releases the result on the peer; a promise that was never awaited should
 * be closed too.
 */
public interface RpcPromise extends RpcStub, CompletionStage<Object> {

    /**
     * A promise for what {@code future} completes with, which calls can be pipelined on at once:
     * the reference's {@code new RpcPromise(promise)}. Calls and property reads made before the
     * future completes wait, and then go in order to its result: a local {@link RpcTarget} or
     * {@link RpcFunction}, a stub of any session, or a value. So a capability that does not exist
     * yet can be handed out now, such as the main object of a session still connecting:
     *
     * <pre>{@code
     * CompletionStage<RpcSession> connecting = CapnWeb.connectAsync(uri, options);
     * RpcPromise backend = RpcPromise.of(connecting.thenApply(RpcSession::main));
     * backend.call("hello");   // sent once connected
     * // ... later: backend.close(), and close the session connecting completed with
     * }</pre>
     *
     * <p>If the future fails, awaiting the promise and every call on it reject with its error.
     * The promise takes over what the result holds: closing it closes a stub the future completed
     * with (and the session of that stub stays the caller's to close).
     *
     * @param future the future; an {@code RpcPromise} is not accepted, being one already
     * @return a promise that owns the result; close it when done
     * @throws IllegalArgumentException if {@code future} is an {@code RpcPromise}
     */
    static RpcPromise of(CompletionStage<?> future) {
        java.util.Objects.requireNonNull(future, "future");
        return capnweb.api.spi.ProviderRegistry.load().engine().localPromise(future);
    }

    /**
     * Waits for the result, at most the session's default timeout if one was set.
     *
     * @return the result (see {@link RpcStub} for how values arrive)
     * @throws RpcException if the call failed, or carrying the cause if the session broke
     * @throws java.util.concurrent.CancellationException if the promise was cancelled
     * @throws RpcTimeoutException if the session's default timeout ran out
     */
    Object join();

    /**
     * Waits for the result, at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the result
     * @throws RpcException if the call failed
     * @throws RpcTimeoutException if the timeout ran out first; the call itself goes on
     */
    Object join(Duration timeout);

    /**
     * Waits for the result like {@link #join()} and converts it to {@code type}, as the
     * arguments of a target method are converted.
     *
     * @param type the type to convert to, e.g. {@code Long.class} or a record class
     * @param <T> the result type
     * @return the converted result
     * @throws RpcException if the call failed or the result does not convert
     */
    <T> T join(Class<T> type);

    /**
     * Sets a deadline: if the result has not arrived within {@code timeout} (counted from now),
     * the promise rejects with {@link RpcTimeoutException} and, if it owns its result (a call's
     * result, not a property read), releases it on the peer, as {@link #cancel()} does. Cap'n
     * Web has no cancellation message: the peer drops the result, but a target method already
     * running is not interrupted. Pipelined calls on the promise then fail too.
     *
     * <p>Unlike {@link #join(Duration)}, the deadline holds for every way of waiting (callbacks,
     * {@link #toCompletableFuture()}, typed stubs) and frees the result. Calling it again adds
     * another deadline; the earliest wins.
     *
     * @param timeout how long the result may take
     * @return this promise, for chaining: {@code api.call("slow").withTimeout(d).join()}
     */
    default RpcPromise withTimeout(Duration timeout) {
        throw new UnsupportedOperationException("withTimeout() is not supported by this promise");
    }

    /**
     * Cancels the call as far as Cap'n Web allows: the promise rejects with
     * {@link java.util.concurrent.CancellationException} and, if it owns its result, releases it
     * on the peer (the peer drops the result; a target method already running goes on).
     * Cancelling the future of {@link #toCompletableFuture()} does the same.
     *
     * @return true if this cancelled the promise; false if it had already settled
     */
    default boolean cancel() {
        throw new UnsupportedOperationException("cancel() is not supported by this promise");
    }
}
