package capnweb.protocol;

import capnweb.api.CallInterceptor;
import capnweb.api.RpcSession;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One call to a local object passing through the session's interceptors: the {@link
 * CallInterceptor.Call} each interceptor is given, one per interceptor, the last one running the
 * method itself.
 */
final class InterceptedCall implements CallInterceptor.Call {
    /** Runs the method itself: a target's method or a function's apply. */
    @FunctionalInterface
    interface MethodCall {
        Object run() throws Throwable;
    }

    private final List<CallInterceptor> chain;
    private final int level;
    private final RpcSession session;
    private final Object target;
    private final String method;
    private final List<Object> arguments;
    private final MethodCall run;
    /** The thread running this level's interceptor, while it runs; null before and after. */
    private Thread intercepting;
    private boolean proceeded;

    private InterceptedCall(List<CallInterceptor> chain, int level, RpcSession session, Object target,
            String method, List<Object> arguments, MethodCall run) {
        this.chain = chain;
        this.level = level;
        this.session = session;
        this.target = target;
        this.method = method;
        this.arguments = arguments;
        this.run = run;
    }

    /**
     * Runs a call of {@code function} (a {@link BoundMethod} or an {@code RpcFunction}) through
     * {@code chain}; see {@link #through}.
     */
    static Object call(List<CallInterceptor> chain, RpcSession session, Object function, List<Object> arguments,
            MethodCall run) throws Throwable {
        BoundMethod bound = function instanceof BoundMethod ? (BoundMethod) function : null;
        return through(chain, session, bound != null ? bound.target() : function,
                bound != null ? bound.name() : "apply", Collections.unmodifiableList(arguments), run);
    }

    /** Runs the getter named {@code getter} of {@code target} through {@code chain}; see {@link #through}. */
    static Object read(List<CallInterceptor> chain, RpcSession session, Object target, String getter,
            MethodCall run) throws Throwable {
        return through(chain, session, target, getter, List.of(), run);
    }

    /**
     * What the interceptors' answer is handled as, in place of the method's return value: the
     * value itself when they answered at once (so a plain call still settles synchronously), else
     * the stage to wait for. A failure at once is thrown.
     */
    private static Object through(List<CallInterceptor> chain, RpcSession session, Object target, String method,
            List<Object> arguments, MethodCall run) throws Throwable {
        CompletionStage<?> stage = new InterceptedCall(chain, 0, session, target, method, arguments, run).enter();
        if (stage instanceof CompletableFuture) {
            CompletableFuture<?> f = ((CompletableFuture<?>) stage).toCompletableFuture();
            if (f.isDone()) {
                try {
                    return f.join();
                } catch (RuntimeException e) {
                    throw Errors.unwrap(e);
                }
            }
        }
        return stage;
    }

    /** Runs this level's interceptor; its failure, or a null from it, becomes a failed stage. */
    private CompletionStage<?> enter() {
        CallInterceptor interceptor = chain.get(level);
        intercepting = Thread.currentThread();
        try {
            CompletionStage<?> stage = interceptor.intercept(this);
            if (stage == null) {
                return CompletableFuture.failedFuture(Errors.type("The CallInterceptor "
                        + interceptor.getClass().getName() + " returned null for a call of '" + method
                        + "': return call.proceed(), a stage made from it, or a stage of its own."));
            }
            return stage;
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        } finally {
            intercepting = null;
        }
    }

    @Override
    public Object target() {
        return target;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public RpcSession session() {
        return session;
    }

    @Override
    public List<Object> arguments() {
        return arguments;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<Object> proceed() {
        if (intercepting != Thread.currentThread()) {
            throw new IllegalStateException("CallInterceptor.Call.proceed() for a call of '" + method
                    + "' was called " + (intercepting == null ? "after intercept returned" : "from another thread")
                    + ": call it from intercept itself, on the thread that runs it, so that the session's"
                    + " calls still run one at a time and in order.");
        }
        if (proceeded) {
            throw new IllegalStateException("CallInterceptor.Call.proceed() for a call of '" + method
                    + "' was called twice: a call runs its method once; reuse the stage the first call gave.");
        }
        proceeded = true;
        if (level + 1 < chain.size()) {
            return (CompletionStage<Object>) new InterceptedCall(chain, level + 1, session, target, method, arguments,
                    run).enter();
        }
        try {
            Object result = run.run();
            return result instanceof CompletionStage
                    ? (CompletionStage<Object>) result
                    : CompletableFuture.completedFuture(result);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(Errors.unwrap(t));
        }
    }
}
