package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.List;
import java.util.function.Consumer;

/**
 * What backs a stub or promise: a local target, a local value, a promise for another hook, or an
 * entry of a session's import table. All methods run on the owning session's executor.
 *
 * <p>Ownership follows the reference implementation: {@link #call} and {@link #map} take
 * ownership of their arguments (also when they fail), {@link #dup} makes an independent
 * reference that must be disposed on its own, and {@link #pull} returns the hook's own payload
 * (the caller disposes either the hook or that payload, not both).
 */
abstract class StubHook {

    /** Calls the function at {@code path} with {@code args}; returns a hook for the result promise. */
    abstract StubHook call(List<Object> path, Payload args);

    /** Applies a received map() recording to the value at {@code path}. */
    abstract StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions);

    /** A promise for the property at {@code path}. */
    abstract StubHook get(List<Object> path);

    /** An independent reference to the same thing; not a promise. */
    abstract StubHook dup();

    /** Asks for the resolution of a promise hook. */
    abstract Later<Payload> pull();

    /** Releases this reference. Idempotent. */
    abstract void dispose();

    /** Runs {@code callback} if and when what this hook refers to breaks. */
    abstract void onBroken(Consumer<Throwable> callback);
}
