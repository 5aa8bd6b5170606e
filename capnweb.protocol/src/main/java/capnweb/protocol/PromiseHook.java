package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A hook for a hook that is not known yet. Calls wait for it, always through the promise even
 * once it is known, so that a call arriving just after the resolution cannot overtake one that
 * arrived just before (E-order).
 */
final class PromiseHook extends StubHook {
    /**
     * How many reactions deep a chain of promises may go. A peer can make promises that resolve
     * to values holding one another (its promise resolved to our export whose value holds that
     * promise); every read of such a value then starts another read, without end, each one
     * holding the last. Legitimate chains are a few steps long.
     */
    static final int MAX_CHAIN = 1_000;
    /** The chain depth of the reaction running on this thread; 0 outside any. */
    private static final ThreadLocal<int[]> CHAIN_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private final Later<StubHook> promise;
    private StubHook resolution;

    PromiseHook(Later<StubHook> promise) {
        this.promise = promise.then(hook -> {
            resolution = hook;
            return hook;
        });
    }

    @Override
    StubHook call(List<Object> path, Payload args) {
        // The application's stubs may be closed once call() returns: own copies are needed.
        args.ensureOwned();
        return chain(hook -> hook.call(path, args), args::dispose);
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        return chain(hook -> hook.map(path, captures, instructions), () -> captures.forEach(StubHook::dispose));
    }

    @Override
    StubHook get(List<Object> path) {
        return chain(hook -> hook.get(path), null);
    }

    @Override
    StubHook dup() {
        if (resolution != null) {
            return resolution.dup();
        }
        return chain(StubHook::dup, null);
    }

    /**
     * A promise for {@code reaction} applied to this promise's hook, one step deeper in the chain
     * than the code running now; an error beyond {@link #MAX_CHAIN}.
     *
     * @param release what to release when no hook will ever take the arguments (this promise
     *     rejects, or the chain is too deep), or null
     */
    private StubHook chain(Function<StubHook, StubHook> reaction, Runnable release) {
        int depth = CHAIN_DEPTH.get()[0] + 1;
        if (depth > MAX_CHAIN) {
            if (release != null) {
                release.run();
            }
            return new ErrorHook(chainTooDeep());
        }
        return new PromiseHook(promise.then(hook -> atDepth(depth, reaction, hook), release == null ? null : err -> {
            release.run();
            throw err;
        }));
    }

    /** Runs a chained reaction at its depth, so that what it chains in turn is one deeper. */
    private static StubHook atDepth(int depth, Function<StubHook, StubHook> reaction, StubHook hook) {
        int[] current = CHAIN_DEPTH.get();
        int saved = current[0];
        current[0] = depth;
        try {
            return reaction.apply(hook);
        } finally {
            current[0] = saved;
        }
    }

    private static RuntimeException chainTooDeep() {
        return Errors.error("A promise's resolution leads back to the promise itself (more than " + MAX_CHAIN
                + " promises chained); the peer's promises resolve to one another in a cycle.");
    }

    @Override
    Later<Payload> pull() {
        // Resolutions are not subject to E-order, and using a known one at once keeps a local call
        // that waits for this promise from being delayed.
        if (resolution != null) {
            return resolution.pull();
        }
        return promise.then(hook -> hook.pull());
    }

    @Override
    void dispose() {
        // Always through the promise: anything queued before the disposal still sees the result.
        promise.whenSettled((hook, err) -> {
            if (hook != null) {
                hook.dispose();
            }
        });
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        if (resolution != null) {
            resolution.onBroken(callback);
        } else {
            promise.whenSettled((hook, err) -> {
                if (err != null) {
                    callback.accept(err);
                } else {
                    hook.onBroken(callback);
                }
            });
        }
    }
}
