package capnweb.api;

import java.util.List;

/**
 * Runs around each call this side makes through a stub of a session: {@link RpcStub#call},
 * {@link RpcStub#invoke}, a typed stub's methods that call, and calls a session forwards to a
 * stub of this one. The client-side twin of {@link CallInterceptor}, as a gRPC
 * {@code ClientInterceptor} is of a {@code ServerInterceptor}: the place for logs and metrics of
 * the calls a service makes, or a check that stops some of them before they leave.
 *
 * <p>Set one with {@link SessionOptions.Builder#outgoingInterceptor(OutgoingCallInterceptor)}.
 * For example, a log line for each call, and its time once its result arrives:
 *
 * <pre>{@code
 * SessionOptions.builder().outgoingInterceptor(call -> {
 *     long start = System.nanoTime();
 *     RpcPromise promise = call.proceed();
 *     promise.whenComplete((result, error) -> log.log(Level.INFO, call.method()
 *             + " took " + (System.nanoTime() - start) / 1000 + " us"));   // asks for the result
 *     return promise;
 * }).build();
 * }</pre>
 *
 * <p>An interceptor runs on the thread that makes the call, before the call is queued, so it
 * sees calls in the order the application makes them. What it does with the promise counts as
 * the application's doing: a callback on it, as above, asks the peer for the result (as
 * awaiting does), even when the application only pipelines on it. Property reads
 * ({@link RpcStub#get}) are not calls and pass through nothing; nor do the calls recorded inside
 * {@link RpcStub#map}, which the peer makes.
 */
@FunctionalInterface
public interface OutgoingCallInterceptor {
    /**
     * Runs one call. Call {@link Call#proceed()} at most once, before returning, to send the call
     * (or run the next interceptor), and return its promise. Throw to stop the call: it is not
     * sent, and the promise the application gets rejects with what was thrown.
     *
     * <p>The promise returned is the one the application gets. It may be another promise made
     * by this library (a call on another session, for a fallback); a promise {@code proceed()}
     * gave that is not returned is the interceptor's to close.
     *
     * @param call the call
     * @return the call's promise
     * @throws Exception to stop the call with it
     */
    RpcPromise intercept(Call call) throws Exception;

    /** One call on its way to the peer (or to a local object behind a stub). */
    interface Call {
        /** @return the session the call goes through */
        RpcSession session();

        /**
         * The path called, from the stub: the property names and indexes read on the way
         * ({@code stub.get("users").call("find")} gives {@code ["users", "find"]}), the method's
         * name last. Empty when a stub of a function is invoked itself.
         *
         * @return the path, unmodifiable
         */
        List<Object> path();

        /**
         * @return the method's name: the last element of {@link #path()}, or an empty string
         *     when a stub of a function is invoked itself
         */
        String method();

        /**
         * The arguments as the application passed them, before they are copied for the wire. In
         * a call another session forwards, stubs among them are released with the call's result:
         * {@link RpcStub#dup()} one to keep it longer.
         *
         * @return the arguments, unmodifiable
         */
        List<Object> arguments();

        /**
         * Sends the call, or runs the next interceptor.
         *
         * @return the call's promise
         * @throws IllegalStateException if called twice, after
         *     {@link OutgoingCallInterceptor#intercept} returned, or from a thread other than the
         *     one running it
         */
        RpcPromise proceed();
    }
}
