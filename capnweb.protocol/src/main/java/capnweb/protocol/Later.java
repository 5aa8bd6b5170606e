package capnweb.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A session-confined promise with JavaScript's semantics: reactions run as microtasks of the
 * session executor, in the order they were registered (CompletableFuture runs dependents in
 * reverse order, which would break E-order), and a value that is itself a {@code Later} is
 * adopted rather than nested.
 *
 * @param <T> the value type
 */
final class Later<T> implements Runnable {

    /** A reaction that may throw; its result may be a plain value or another {@code Later}. */
    @FunctionalInterface
    interface Reaction<A> {
        Object apply(A value) throws Throwable;
    }

    private static final int PENDING = 0;
    private static final int FULFILLED = 1;
    private static final int REJECTED = 2;

    private int state = PENDING;
    private Object result;
    /**
     * Null, the one reaction registered, or a list of them in order: most have just one. Once
     * settled, the ones registered before wait here for {@link #run}.
     */
    private Object reactions;

    static <T> Later<T> pending() {
        return new Later<>();
    }

    static <T> Later<T> resolved(T value) {
        Later<T> later = new Later<>();
        later.state = FULFILLED;
        later.result = value;
        return later;
    }

    static <T> Later<T> rejected(Throwable error) {
        Later<T> later = new Later<>();
        later.state = REJECTED;
        later.result = error;
        return later;
    }

    boolean isFulfilled() {
        return state == FULFILLED;
    }

    boolean isRejected() {
        return state == REJECTED;
    }

    boolean isSettled() {
        return state != PENDING;
    }

    /** @return the value; only valid when {@link #isFulfilled()} */
    @SuppressWarnings("unchecked")
    T value() {
        if (state != FULFILLED) {
            throw new IllegalStateException("not fulfilled");
        }
        return (T) result;
    }

    /** @return the error; only valid when {@link #isRejected()} */
    Throwable error() {
        if (state != REJECTED) {
            throw new IllegalStateException("not rejected");
        }
        return (Throwable) result;
    }

    /** Fulfils with {@code value}, or adopts it if it is a {@code Later}. Ignored once settled. */
    void resolve(Object value) {
        if (state != PENDING) {
            return;
        }
        if (value instanceof Later) {
            Later<?> other = (Later<?>) value;
            if (other == this) {
                reject(new IllegalStateException("A promise cannot resolve to itself."));
                return;
            }
            // Adopt without an extra turn when the other one is already settled.
            if (other.state == FULFILLED) {
                settle(FULFILLED, other.result);
            } else if (other.state == REJECTED) {
                settle(REJECTED, other.result);
            } else {
                other.addReaction((v, e) -> {
                    if (e != null) {
                        reject(e);
                    } else {
                        resolve(v);
                    }
                });
            }
            return;
        }
        settle(FULFILLED, value);
    }

    void reject(Throwable error) {
        if (state != PENDING) {
            return;
        }
        settle(REJECTED, error);
    }

    private void settle(int newState, Object value) {
        state = newState;
        result = value;
        if (reactions == null) {
            return;
        }
        // One microtask runs every reaction registered so far, in order: the same order as one
        // microtask each, since what a reaction queues goes behind this task either way.
        SessionExecutor executor = SessionExecutor.current();
        if (executor == null) {
            // Only reachable outside a session (e.g. a codec test); run at once.
            run();
        } else {
            executor.microtask(this);
        }
    }

    /** Runs the reactions registered before this promise settled. Only for {@link #settle}. */
    @Override
    @SuppressWarnings("unchecked")
    public void run() {
        Object registered = reactions;
        reactions = null;
        Object v = state == FULFILLED ? result : null;
        Throwable e = state == REJECTED ? (Throwable) result : null;
        if (registered instanceof List) {
            for (BiConsumer<Object, Throwable> r : (List<BiConsumer<Object, Throwable>>) registered) {
                // Each on its own, as separate microtasks would be: one that fails stops no other.
                SessionExecutor.runGuarded(() -> r.accept(v, e));
            }
        } else if (registered != null) {
            ((BiConsumer<Object, Throwable>) registered).accept(v, e);
        }
    }

    private void schedule(BiConsumer<Object, Throwable> reaction) {
        Object v = state == FULFILLED ? result : null;
        Throwable e = state == REJECTED ? (Throwable) result : null;
        SessionExecutor executor = SessionExecutor.current();
        if (executor == null) {
            // Only reachable outside a session (e.g. a codec test); run at once.
            reaction.accept(v, e);
        } else {
            executor.microtask(() -> reaction.accept(v, e));
        }
    }

    @SuppressWarnings("unchecked")
    private void addReaction(BiConsumer<Object, Throwable> reaction) {
        if (state == PENDING) {
            if (reactions == null) {
                reactions = reaction;
            } else if (reactions instanceof List) {
                ((List<BiConsumer<Object, Throwable>>) reactions).add(reaction);
            } else {
                List<BiConsumer<Object, Throwable>> list = new ArrayList<>(4);
                list.add((BiConsumer<Object, Throwable>) reactions);
                list.add(reaction);
                reactions = list;
            }
        } else {
            schedule(reaction);
        }
    }

    /** Runs {@code callback} (as a microtask) once settled. */
    @SuppressWarnings("unchecked")
    void whenSettled(BiConsumer<? super T, Throwable> callback) {
        // Erased, the callback takes any value: registered as it is, without a wrapper.
        addReaction((BiConsumer<Object, Throwable>) (BiConsumer<?, Throwable>) callback);
    }

    <U> Later<U> then(Reaction<? super T> onFulfilled) {
        return then(onFulfilled, null);
    }

    @SuppressWarnings("unchecked")
    <U> Later<U> then(Reaction<? super T> onFulfilled, Reaction<Throwable> onRejected) {
        Later<U> next = new Later<>();
        addReaction((v, e) -> {
            try {
                if (e == null) {
                    next.resolve(onFulfilled == null ? v : onFulfilled.apply((T) v));
                } else if (onRejected != null) {
                    next.resolve(onRejected.apply(e));
                } else {
                    next.reject(e);
                }
            } catch (Throwable t) {
                next.reject(t);
            }
        });
        return next;
    }

    /** @return a promise that settles once every one of {@code all} is fulfilled, or the first rejects */
    static Later<Void> all(List<? extends Later<?>> all) {
        if (all.isEmpty()) {
            return resolved(null);
        }
        Later<Void> result = new Later<>();
        int[] remaining = {all.size()};
        for (Later<?> l : all) {
            l.addReaction((v, e) -> {
                if (e != null) {
                    result.reject(e);
                } else if (--remaining[0] == 0) {
                    result.resolve(null);
                }
            });
        }
        return result;
    }
}
