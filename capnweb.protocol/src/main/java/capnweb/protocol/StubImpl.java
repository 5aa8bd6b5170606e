package capnweb.protocol;

import capnweb.api.Registration;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The application's handle on a hook: thread-safe, and usable before its hook exists (a call's
 * result gets its hook when the session executor runs the call). Every operation is a task on
 * the session executor, so operations keep the order in which the application issued them.
 *
 * <p>A stub that owns its hook releases it on {@link #close()}; property promises
 * ({@code stub.get("x")}) share their parent's hook and own nothing, as in the reference.
 */
class StubImpl implements RpcStub {

    /** Holds the hook; shared between a stub and the property promises made from it. */
    static final class Cell {
        volatile StubHook hook;
    }

    final Session session;
    final Cell cell;
    /** The property path for promises ({@code []} for a call's result); null for plain stubs. */
    final List<Object> path;
    private final boolean owner;
    /** Set once, by the first close (or hand-over); a field, not an AtomicBoolean per stub. */
    private volatile boolean closed;
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(StubImpl.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    StubImpl(Session session, Cell cell, List<Object> path, boolean owner) {
        this.session = session;
        this.cell = cell;
        this.path = path;
        this.owner = owner;
    }

    /** A stub over {@code hook}, made on the session executor. */
    static StubImpl local(Session session, StubHook hook) {
        StubImpl s = new StubImpl(session, new Cell(), null, true);
        s.cell.hook = hook;
        return s;
    }

    /** A stub whose hook a task already queued on the session executor will set. */
    static StubImpl pending(Session session, boolean promise) {
        return promise ? new PromiseImpl(session, new Cell(), List.of(), true)
                : new StubImpl(session, new Cell(), null, true);
    }

    Session session() {
        return session;
    }

    List<Object> pathOrEmpty() {
        return path == null ? List.of() : path;
    }

    void setHook(StubHook hook) {
        cell.hook = hook;
    }

    /** The hook; only on the session executor, where every queued setHook has run. */
    StubHook hookOnThread() {
        StubHook h = cell.hook;
        if (h == null) {
            throw new IllegalStateException("stub used before its hook was set");
        }
        return h;
    }

    /** On the session executor: a new stub of {@code target} (this session) for the same thing. */
    StubImpl dupStubFor(Session target) {
        return local(target, hookOnThread().dup());
    }

    /** A duplicate of the same kind, from any thread: queued if not on the session executor. */
    StubImpl dupAnywhere() {
        if (session.executor.inExecutor()) {
            return this instanceof PromiseImpl ? ((PromiseImpl) this).dupPromiseFor(session) : dupStubFor(session);
        }
        StubImpl dup = pending(session, this instanceof PromiseImpl);
        session.executor.execute(() -> dup.setHook(this instanceof PromiseImpl
                ? hookOnThread().get(pathOrEmpty()) : hookOnThread().dup()));
        return dup;
    }

    /** On the session executor: releases the hook if this stub owns it. Idempotent. */
    void disposeOnThread() {
        if (owner && CLOSED.compareAndSet(this, false, true)) {
            session.untrackStub(this);
            StubHook h = cell.hook;
            cell.hook = ErrorHook.DISPOSED;
            if (h != null) {
                h.dispose();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // RpcStub

    @Override
    public RpcPromise call(String method, Object... args) {
        Objects.requireNonNull(method, "method");
        List<Object> path = pathOrEmpty();
        List<Object> full = new ArrayList<>(path.size() + 1);
        full.addAll(path);
        full.add(method);
        Object[] actual = args == null ? new Object[] {null} : args;
        MapRecorder recording = MapRecorder.current();
        if (recording != null) {
            // Inside a map() function: the call becomes an instruction.
            return recording.record(this, full, actual);
        }
        return session.callFromApp(this, full, actual);
    }

    @Override
    public RpcPromise invoke(Object... args) {
        Object[] actual = args == null ? new Object[] {null} : args;
        MapRecorder recording = MapRecorder.current();
        if (recording != null) {
            return recording.record(this, pathOrEmpty(), actual);
        }
        return session.callFromApp(this, pathOrEmpty(), actual);
    }

    @Override
    public RpcPromise map(java.util.function.Function<? super RpcPromise, ?> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return MapRecorder.map(this, mapper);
    }

    @Override
    public <T> T as(Class<T> type) {
        return TypedStub.of(this, type);
    }

    /** This stub without its property path: what the path starts from. */
    StubImpl root() {
        if (path == null || path.isEmpty()) {
            return this;
        }
        return new PromiseImpl(session, cell, List.of(), false);
    }

    /** On the session executor: hands the hook over to the caller, who now owns it. */
    StubHook takeHook() {
        StubHook h = hookOnThread();
        closed = true;
        session.untrackStub(this);
        return h;
    }

    @Override
    public RpcPromise get(String property) {
        Objects.requireNonNull(property, "property");
        return property(property);
    }

    @Override
    public RpcPromise get(int index) {
        return property((long) index);
    }

    private RpcPromise property(Object part) {
        return below(List.of(part));
    }

    /** A promise for {@code extra} below this stub: it shares this stub's hook and owns nothing. */
    PromiseImpl below(List<Object> extra) {
        return new PromiseImpl(session, cell, List.copyOf(ValueHook.concat(pathOrEmpty(), extra)), false);
    }

    /** An owned promise for {@code path} below this stub, for use across sessions. */
    PromiseImpl getOwned(List<Object> extra) {
        PromiseImpl p = (PromiseImpl) pending(session, true);
        List<Object> full = ValueHook.concat(pathOrEmpty(), extra);
        session.run(() -> p.setHook(hookOnThread().get(full)));
        return p;
    }

    @Override
    public RpcStub dup() {
        StubImpl dup = pending(session, false);
        session.trackStub(dup);
        session.run(() -> dup.setHook(path != null ? hookOnThread().get(path) : hookOnThread().dup()));
        return dup;
    }

    @Override
    public void close() {
        if (owner && !closed) {
            session.run(this::disposeOnThread);
        }
    }

    @Override
    public Registration onBroken(Consumer<? super Throwable> callback) {
        Objects.requireNonNull(callback, "callback");
        AtomicBoolean active = new AtomicBoolean(true);
        session.run(() -> hookOnThread().onBroken(error -> {
            RuntimeException forApp = Errors.forApplication(error);
            session.callbackExecutor().execute(() -> {
                if (active.compareAndSet(true, false)) {
                    callback.accept(forApp);
                }
            });
        }));
        return () -> active.set(false);
    }

    @Override
    public String toString() {
        return "[object RpcStub]";
    }
}
