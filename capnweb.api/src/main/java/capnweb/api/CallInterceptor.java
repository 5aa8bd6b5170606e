package capnweb.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Runs around each call a session delivers to one of this side's objects: a method of an
 * {@link RpcTarget}, the getter that reading one of its properties runs, or an
 * {@link RpcFunction}. The place for what every call needs and no target should repeat: metrics
 * and logs of each call, a tracing span, a check that refuses some calls, or a context (an MDC, a
 * security principal) set while the method runs.
 *
 * <p>Set one with {@link SessionOptions.Builder#interceptor(CallInterceptor)}; on a server, the
 * {@link ServerOptions#sessionOptions() session options} give it to every session. For example,
 * a log line with each call's time:
 *
 * <pre>{@code
 * SessionOptions.builder().interceptor(call -> {
 *     long start = System.nanoTime();
 *     return call.proceed().whenComplete((result, error) -> log.log(Level.INFO,
 *             call.method() + " took " + (System.nanoTime() - start) / 1000 + " us"
 *                     + (error == null ? "" : " and failed: " + error)));
 * }).build();
 * }</pre>
 *
 * <p>An interceptor runs where the method would: on the session's thread, as application code,
 * after every promise among the arguments has resolved, and before the arguments are converted
 * to the method's parameter types. Calls of one session reach it one at a time, in the order
 * they arrived.
 *
 * <p>Reading a property whose value a getter gives ({@code getName()}, {@code isOpen()}, a bare
 * {@code value()}) passes through too, as a call of that getter with no arguments; the value read
 * is what the returned stage holds, or the stage itself while it is pending, as for a getter that
 * returns a {@link CompletionStage}. Reading a method as a property runs nothing, and so passes
 * through nothing until that method is called.
 *
 * <p>Calls this side makes through its stubs pass through {@link OutgoingCallInterceptor}s
 * instead.
 */
@FunctionalInterface
public interface CallInterceptor {
    /**
     * Runs one call. Call {@link Call#proceed()} at most once, before returning, to run the
     * method (or the next interceptor); return its stage, or a stage made from it, whose result
     * is the call's result. Return a stage of your own, or throw, to answer without running the
     * method: the caller receives that result or error (sent as any error is; see
     * {@link SessionOptions.Builder#onSendError}).
     *
     * <p>Returning {@code proceed()}'s own stage answers the call exactly as if there were no
     * interceptor. A stage made from it holds the answer until the result settles, even when the
     * method returned an {@link RpcPromise} the engine would otherwise have forwarded at once.
     *
     * @param call the call
     * @return the call's result
     * @throws Exception to fail the call with it
     */
    CompletionStage<?> intercept(Call call) throws Exception;

    /** One call on its way to a local object. */
    interface Call {
        /** @return the object called: an {@link RpcTarget}, or the {@link RpcFunction} itself */
        Object target();

        /**
         * @return the name of the Java method called: a target's method, the getter a property
         *     read runs, {@code "apply"} for an {@link RpcFunction}
         */
        String method();

        /**
         * The session delivering the call: a key for state kept per session (a rate limit, a
         * count), released when {@link RpcSession#closed()} completes, the way to end a session
         * that misbehaves ({@link RpcSession#abort}), and, on a server, who is calling
         * ({@link RpcSession#request()}).
         *
         * @return the session
         */
        RpcSession session();

        /**
         * The arguments as they arrived, before conversion to the method's parameter types: the
         * "Java in" types of the README's "Values" ({@code Long} or {@code Double}, {@code String},
         * {@code List}, {@code Map}, {@link RpcStub}...). Stubs among them belong to the call:
         * {@link RpcStub#dup()} one to keep it past the call.
         *
         * @return the arguments, unmodifiable
         */
        List<Object> arguments();

        /**
         * Runs the method, or the next interceptor. A method that returns a
         * {@link CompletionStage} gives that stage; one that returns a value gives a completed
         * stage of it ({@link Undefined#INSTANCE} for {@code void}); one that throws gives a
         * failed stage. A method that returns an {@link RpcPromise} gives that promise: return
         * it, wait for it or close it, as any promise, or it is held until the session ends.
         *
         * @return the stage of the method's result
         * @throws IllegalStateException if called twice, after {@link CallInterceptor#intercept}
         *     returned, or from a thread other than the one running it
         */
        CompletionStage<Object> proceed();
    }
}
