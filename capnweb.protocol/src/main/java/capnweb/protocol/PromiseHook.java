package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hook for a hook that is not known yet. Calls wait for it, always through the promise even
 * once it is known, so that a call arriving just after the resolution cannot overtake one that
 * arrived just before (E-order).
 */
final class PromiseHook extends StubHook {
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
        return new PromiseHook(promise.then(hook -> hook.call(path, args), err -> {
            args.dispose();
            throw err;
        }));
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        return new PromiseHook(promise.then(hook -> hook.map(path, captures, instructions), err -> {
            captures.forEach(StubHook::dispose);
            throw err;
        }));
    }

    @Override
    StubHook get(List<Object> path) {
        return new PromiseHook(promise.then(hook -> hook.get(path)));
    }

    @Override
    StubHook dup() {
        if (resolution != null) {
            return resolution.dup();
        }
        return new PromiseHook(promise.then(hook -> hook.dup()));
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
