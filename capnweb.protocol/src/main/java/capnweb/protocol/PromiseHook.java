package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
        int depth = nextDepth();
        if (depth > MAX_CHAIN) {
            args.dispose();
            return new ErrorHook(chainTooDeep());
        }
        // The application's stubs may be closed once call() returns: own copies are needed.
        args.ensureOwned();
        return new PromiseHook(promise.then(hook -> atDepth(depth, () -> hook.call(path, args)), err -> {
            args.dispose();
            throw err;
        }));
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        int depth = nextDepth();
        if (depth > MAX_CHAIN) {
            captures.forEach(StubHook::dispose);
            return new ErrorHook(chainTooDeep());
        }
        return new PromiseHook(promise.then(hook -> atDepth(depth, () -> hook.map(path, captures, instructions)),
                err -> {
                    captures.forEach(StubHook::dispose);
                    throw err;
                }));
    }

    @Override
    StubHook get(List<Object> path) {
        int depth = nextDepth();
        if (depth > MAX_CHAIN) {
            return new ErrorHook(chainTooDeep());
        }
        return new PromiseHook(promise.then(hook -> atDepth(depth, () -> hook.get(path))));
    }

    @Override
    StubHook dup() {
        if (resolution != null) {
            return resolution.dup();
        }
        int depth = nextDepth();
        if (depth > MAX_CHAIN) {
            return new ErrorHook(chainTooDeep());
        }
        return new PromiseHook(promise.then(hook -> atDepth(depth, hook::dup)));
    }

    /** @return the depth of a reaction chained from the code running now */
    private static int nextDepth() {
        return CHAIN_DEPTH.get()[0] + 1;
    }

    /** Runs a chained reaction at its depth, so that what it chains in turn is one deeper. */
    private static StubHook atDepth(int depth, Supplier<StubHook> reaction) {
        int[] current = CHAIN_DEPTH.get();
        int saved = current[0];
        current[0] = depth;
        try {
            return reaction.get();
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
