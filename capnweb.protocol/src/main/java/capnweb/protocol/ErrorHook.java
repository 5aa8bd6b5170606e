package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.List;
import java.util.function.Consumer;

/** A hook that is broken: every use fails with the same error. */
final class ErrorHook extends StubHook {
    private static final System.Logger LOG = System.getLogger(ErrorHook.class.getName());

    /**
     * The hook every stub points at once it was closed. It lives here, not in {@link StubHook}:
     * a superclass whose initialization makes a subclass deadlocks against a thread that
     * initializes the subclass first, as two sessions made at once on a new JVM did.
     */
    static final StubHook DISPOSED = new ErrorHook(
            Errors.error("Attempted to use RPC stub after it has been disposed."));

    private final Throwable error;

    ErrorHook(Throwable error) {
        this.error = error;
    }

    Throwable error() {
        return error;
    }

    @Override
    StubHook call(List<Object> path, Payload args) {
        args.dispose();
        return this;
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        captures.forEach(StubHook::dispose);
        return this;
    }

    @Override
    StubHook get(List<Object> path) {
        return this;
    }

    @Override
    StubHook dup() {
        return this;
    }

    @Override
    Later<Payload> pull() {
        return Later.rejected(error);
    }

    @Override
    void dispose() {
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        try {
            callback.accept(error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "An onBroken callback threw", e);
        }
    }
}
