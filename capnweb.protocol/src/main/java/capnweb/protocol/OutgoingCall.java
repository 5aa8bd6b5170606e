package capnweb.protocol;

import capnweb.api.OutgoingCallInterceptor;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import java.util.List;
import java.util.function.Supplier;

/**
 * One call the application makes through a stub, passing through the session's outgoing
 * interceptors: the {@link OutgoingCallInterceptor.Call} each interceptor is given, one per
 * interceptor, the last one sending the call itself.
 */
final class OutgoingCall implements OutgoingCallInterceptor.Call {
    private final List<OutgoingCallInterceptor> chain;
    private final int level;
    private final Session session;
    private final List<Object> path;
    private final List<Object> arguments;
    private final Supplier<PromiseImpl> send;
    /** The thread running this level's interceptor, while it runs; null before and after. */
    private Thread intercepting;
    /** What proceed() gave, if it was called. */
    private PromiseImpl proceeded;

    private OutgoingCall(List<OutgoingCallInterceptor> chain, int level, Session session, List<Object> path,
            List<Object> arguments, Supplier<PromiseImpl> send) {
        this.chain = chain;
        this.level = level;
        this.session = session;
        this.path = path;
        this.arguments = arguments;
        this.send = send;
    }

    /** Runs a call of {@code path} with {@code arguments} through {@code chain}; {@code send} sends it. */
    static PromiseImpl through(List<OutgoingCallInterceptor> chain, Session session, List<Object> path,
            List<Object> arguments, Supplier<PromiseImpl> send) {
        return new OutgoingCall(chain, 0, session, List.copyOf(path), arguments, send).enter();
    }

    /**
     * Runs this level's interceptor. What it throws, or a promise this library did not make,
     * becomes a rejected promise, and a call it proceeded with is then released.
     */
    private PromiseImpl enter() {
        OutgoingCallInterceptor interceptor = chain.get(level);
        intercepting = Thread.currentThread();
        Exception refusal;
        try {
            RpcPromise returned = interceptor.intercept(this);
            if (returned instanceof PromiseImpl) {
                return (PromiseImpl) returned;
            }
            refusal = Errors.type("The OutgoingCallInterceptor " + interceptor.getClass().getName()
                    + (returned == null ? " returned null" : " returned a promise this library did not make")
                    + " for a call of '" + method() + "': return call.proceed(), or a promise of a session.");
        } catch (Exception e) {
            refusal = e;
        } finally {
            intercepting = null;
        }
        if (proceeded != null) {
            proceeded.close();
        }
        return session.rejectedFromApp(refusal);
    }

    @Override
    public RpcSession session() {
        return session;
    }

    @Override
    public List<Object> path() {
        return path;
    }

    @Override
    public String method() {
        return path.isEmpty() ? "" : String.valueOf(path.get(path.size() - 1));
    }

    @Override
    public List<Object> arguments() {
        return arguments;
    }

    @Override
    public RpcPromise proceed() {
        if (intercepting != Thread.currentThread()) {
            throw new IllegalStateException("OutgoingCallInterceptor.Call.proceed() for a call of '" + method()
                    + "' was called " + (intercepting == null ? "after intercept returned" : "from another thread")
                    + ": call it from intercept itself, so that calls leave in the order they were made.");
        }
        if (proceeded != null) {
            throw new IllegalStateException("OutgoingCallInterceptor.Call.proceed() for a call of '" + method()
                    + "' was called twice: a call is sent once; reuse the promise the first call gave.");
        }
        proceeded = level + 1 < chain.size()
                ? new OutgoingCall(chain, level + 1, session, path, arguments, send).enter()
                : send.get();
        return proceeded;
    }
}
