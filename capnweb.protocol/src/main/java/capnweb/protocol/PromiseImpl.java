package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A promise: a stub for a future value that is also a {@link CompletionStage} of it. The result
 * is pulled from the peer only when someone waits for it (a completion callback, {@link #join},
 * {@link #toCompletableFuture}); until then it only serves pipelining.
 */
class PromiseImpl extends StubImpl implements RpcPromise {
    /** Completed on the delivery executor: application callbacks never run on the session thread. */
    private final AtomicReference<CompletableFuture<Object>> result = new AtomicReference<>();
    /** Completed on the session thread itself, for blocking waits, which run no application code. */
    private final CompletableFuture<Object> settled = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean pulled = new java.util.concurrent.atomic.AtomicBoolean();

    PromiseImpl(Session session, Cell cell, List<Object> path, boolean owner) {
        super(session, cell, path, owner);
    }

    static PromiseImpl local(Session session, StubHook hook) {
        PromiseImpl p = new PromiseImpl(session, new Cell(), List.of(), true);
        p.setHook(hook);
        return p;
    }

    /**
     * A promise of {@code session} for what {@code stage} completes with, adopted as a value the
     * application returned: stubs in it become the promise's.
     */
    static PromiseImpl adopting(Session session, java.util.concurrent.CompletionStage<?> stage) {
        return local(session, new PromiseHook(session.laterOf(stage)
                .then(value -> new PayloadHook(Payload.fromReturn(value, session, s -> false), session))));
    }

    boolean isRoot() {
        return path.isEmpty();
    }

    /** On the session executor: an owned promise for the same value (a property becomes its own). */
    PromiseImpl dupPromiseFor(Session target) {
        return local(target, hookOnThread().get(path));
    }

    /** The future of the delivered value for application callbacks; the first call pulls it. */
    CompletableFuture<Object> future() {
        CompletableFuture<Object> f = result.get();
        if (f != null) {
            return f;
        }
        CompletableFuture<Object> created = new CompletableFuture<>();
        if (!result.compareAndSet(null, created)) {
            return result.get();
        }
        Executor delivery = session.promiseCallbackExecutor();
        settled.whenComplete((value, error) -> delivery.execute(() -> {
            if (error != null) {
                created.completeExceptionally(error);
            } else {
                created.complete(value);
            }
        }));
        startPull(false);
        return created;
    }

    /**
     * The result for another session's engine code, pulled now: it completes on this session's
     * thread, so reactions registered on it run in the order this session settles its promises
     * (the application's futures complete on other threads, in no set order). Reactions must only
     * hand work on, never run application code.
     */
    CompletableFuture<Object> settledInOrder() {
        startPull(false);
        return settled;
    }

    /** Pulls the result once; {@code blocking} tells a batch client that a thread waits for it. */
    private void startPull(boolean blocking) {
        if (pulled.compareAndSet(false, true)) {
            session.run(this::pull);
        }
        session.onAwait(blocking);
    }

    private void pull() {
        try {
            StubHook hook = hookOnThread();
            if (!path.isEmpty()) {
                hook = hook.get(path);
            }
            hook.pull().then(payload -> {
                return payload.deliver().then(x -> payload.value);
            }).whenSettled((value, error) -> {
                // Awaited: the result's import is released on arrival, so this is no leak; the
                // stubs in the result are the application's now.
                session.resultDelivered(this, error == null ? value : null);
                if (error != null) {
                    settled.completeExceptionally(Errors.forApplication(error));
                } else {
                    settled.complete(value);
                }
            });
        } catch (RuntimeException e) {
            settled.completeExceptionally(Errors.forApplication(e));
        }
    }

    @Override
    public Object join() {
        Duration timeout = session.options.defaultTimeout().orElse(null);
        return await(timeout);
    }

    @Override
    public Object join(Duration timeout) {
        return await(java.util.Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public <T> T join(Class<T> type) {
        Object value = join();
        @SuppressWarnings("unchecked")
        T converted = (T) Convert.to(value, type, type, () -> "result");
        return converted;
    }

    private Object await(Duration timeout) {
        if (session.executor.inExecutor()) {
            throw new IllegalStateException("join() was called on the session's own thread, where it would wait "
                    + "forever: return the promise (or a CompletionStage) from the target method instead.");
        }
        CompletableFuture<Object> f = settled;
        startPull(true);
        try {
            return timeout == null ? f.get() : f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw Errors.forApplication(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            // Newer JDKs (25 here; 17 does not) wrap the cancellation in a new one whose message
            // is only "get"; the caller should see why the call was cancelled.
            throw e.getCause() instanceof java.util.concurrent.CancellationException cause ? cause : e;
        } catch (TimeoutException e) {
            throw RpcTimeoutException.after("the result of a call", timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RpcException.of("Error", "Interrupted while waiting for the result of a call.");
        }
    }

    @Override
    public RpcPromise withTimeout(Duration timeout) {
        java.util.Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("The timeout must not be negative, got " + timeout + ".");
        }
        if (settled.isDone()) {
            return this;
        }
        java.util.concurrent.ScheduledFuture<?> deadline = EnginePools.after(timeout.toNanos(),
                () -> settleEarly(RpcTimeoutException.after("the result of a call", timeout)));
        settled.whenComplete((v, e) -> deadline.cancel(false));
        return this;
    }

    @Override
    public boolean cancel() {
        return settleEarly(new java.util.concurrent.CancellationException(
                "The call was cancelled; its result was released."));
    }

    /** Rejects the promise now and releases its result on the peer, if it owns one. */
    private boolean settleEarly(RuntimeException reason) {
        if (!settled.completeExceptionally(reason)) {
            return false;
        }
        close();
        return true;
    }

    @Override
    public String toString() {
        return "[object RpcPromise]";
    }

    // ------------------------------------------------------------------------------------------
    // CompletionStage: every method waits for the (pulled) result.

    @Override
    public <U> CompletionStage<U> thenApply(Function<? super Object, ? extends U> fn) {
        return future().thenApply(fn);
    }

    @Override
    public <U> CompletionStage<U> thenApplyAsync(Function<? super Object, ? extends U> fn) {
        return future().thenApplyAsync(fn);
    }

    @Override
    public <U> CompletionStage<U> thenApplyAsync(Function<? super Object, ? extends U> fn, Executor executor) {
        return future().thenApplyAsync(fn, executor);
    }

    @Override
    public CompletionStage<Void> thenAccept(Consumer<? super Object> action) {
        return future().thenAccept(action);
    }

    @Override
    public CompletionStage<Void> thenAcceptAsync(Consumer<? super Object> action) {
        return future().thenAcceptAsync(action);
    }

    @Override
    public CompletionStage<Void> thenAcceptAsync(Consumer<? super Object> action, Executor executor) {
        return future().thenAcceptAsync(action, executor);
    }

    @Override
    public CompletionStage<Void> thenRun(Runnable action) {
        return future().thenRun(action);
    }

    @Override
    public CompletionStage<Void> thenRunAsync(Runnable action) {
        return future().thenRunAsync(action);
    }

    @Override
    public CompletionStage<Void> thenRunAsync(Runnable action, Executor executor) {
        return future().thenRunAsync(action, executor);
    }

    @Override
    public <U, V> CompletionStage<V> thenCombine(CompletionStage<? extends U> other,
            BiFunction<? super Object, ? super U, ? extends V> fn) {
        return future().thenCombine(other, fn);
    }

    @Override
    public <U, V> CompletionStage<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super Object, ? super U, ? extends V> fn) {
        return future().thenCombineAsync(other, fn);
    }

    @Override
    public <U, V> CompletionStage<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super Object, ? super U, ? extends V> fn, Executor executor) {
        return future().thenCombineAsync(other, fn, executor);
    }

    @Override
    public <U> CompletionStage<Void> thenAcceptBoth(CompletionStage<? extends U> other,
            BiConsumer<? super Object, ? super U> action) {
        return future().thenAcceptBoth(other, action);
    }

    @Override
    public <U> CompletionStage<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super Object, ? super U> action) {
        return future().thenAcceptBothAsync(other, action);
    }

    @Override
    public <U> CompletionStage<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super Object, ? super U> action, Executor executor) {
        return future().thenAcceptBothAsync(other, action, executor);
    }

    @Override
    public CompletionStage<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return future().runAfterBoth(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return future().runAfterBothAsync(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return future().runAfterBothAsync(other, action, executor);
    }

    @Override
    public <U> CompletionStage<U> applyToEither(CompletionStage<? extends Object> other,
            Function<? super Object, U> fn) {
        return future().applyToEither(other, fn);
    }

    @Override
    public <U> CompletionStage<U> applyToEitherAsync(CompletionStage<? extends Object> other,
            Function<? super Object, U> fn) {
        return future().applyToEitherAsync(other, fn);
    }

    @Override
    public <U> CompletionStage<U> applyToEitherAsync(CompletionStage<? extends Object> other,
            Function<? super Object, U> fn, Executor executor) {
        return future().applyToEitherAsync(other, fn, executor);
    }

    @Override
    public CompletionStage<Void> acceptEither(CompletionStage<? extends Object> other, Consumer<? super Object> action) {
        return future().acceptEither(other, action);
    }

    @Override
    public CompletionStage<Void> acceptEitherAsync(CompletionStage<? extends Object> other,
            Consumer<? super Object> action) {
        return future().acceptEitherAsync(other, action);
    }

    @Override
    public CompletionStage<Void> acceptEitherAsync(CompletionStage<? extends Object> other,
            Consumer<? super Object> action, Executor executor) {
        return future().acceptEitherAsync(other, action, executor);
    }

    @Override
    public CompletionStage<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return future().runAfterEither(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return future().runAfterEitherAsync(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return future().runAfterEitherAsync(other, action, executor);
    }

    @Override
    public <U> CompletionStage<U> thenCompose(Function<? super Object, ? extends CompletionStage<U>> fn) {
        return future().thenCompose(fn);
    }

    @Override
    public <U> CompletionStage<U> thenComposeAsync(Function<? super Object, ? extends CompletionStage<U>> fn) {
        return future().thenComposeAsync(fn);
    }

    @Override
    public <U> CompletionStage<U> thenComposeAsync(Function<? super Object, ? extends CompletionStage<U>> fn,
            Executor executor) {
        return future().thenComposeAsync(fn, executor);
    }

    @Override
    public <U> CompletionStage<U> handle(BiFunction<? super Object, Throwable, ? extends U> fn) {
        return future().handle(fn);
    }

    @Override
    public <U> CompletionStage<U> handleAsync(BiFunction<? super Object, Throwable, ? extends U> fn) {
        return future().handleAsync(fn);
    }

    @Override
    public <U> CompletionStage<U> handleAsync(BiFunction<? super Object, Throwable, ? extends U> fn,
            Executor executor) {
        return future().handleAsync(fn, executor);
    }

    @Override
    public CompletionStage<Object> whenComplete(BiConsumer<? super Object, ? super Throwable> action) {
        return future().whenComplete(action);
    }

    @Override
    public CompletionStage<Object> whenCompleteAsync(BiConsumer<? super Object, ? super Throwable> action) {
        return future().whenCompleteAsync(action);
    }

    @Override
    public CompletionStage<Object> whenCompleteAsync(BiConsumer<? super Object, ? super Throwable> action,
            Executor executor) {
        return future().whenCompleteAsync(action, executor);
    }

    @Override
    public CompletionStage<Object> exceptionally(Function<Throwable, ? extends Object> fn) {
        return future().exceptionally(fn);
    }

    @Override
    public CompletableFuture<Object> toCompletableFuture() {
        // A copy, so that completing it cannot change the promise; cancelling it cancels the call.
        CompletableFuture<Object> copy = future().copy();
        copy.whenComplete((v, e) -> {
            if (copy.isCancelled()) {
                cancel();
            }
        });
        return copy;
    }
}
