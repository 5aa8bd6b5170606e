package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hook in one session (home) for a stub of another session: every operation is handed to the
 * other session's executor through the stub's thread-safe API, and results come back to the
 * home executor. This keeps each session's tables confined to its own executor when stubs are
 * passed from one connection to another (proxying, three-party passing).
 */
final class CrossSessionHook extends StubHook {
    private final StubImpl remote;
    private final Session home;
    /**
     * The result, copied into this session, once pulled. As with every hook, the payload a pull
     * gives stays the hook's (the export that sent it keeps serving pipelined calls with it), so
     * it is released with the hook.
     */
    private Later<Payload> pulled;
    /**
     * For the result of a forwarded call: the call's arguments, released with the result. As a
     * local call's arguments live until its result settles, a stream among them stays open for
     * the other session to read from or write to while the call runs.
     */
    private final Payload callArguments;

    /** Takes ownership of {@code remote}. */
    CrossSessionHook(StubImpl remote, Session home) {
        this(remote, home, null);
    }

    private CrossSessionHook(StubImpl remote, Session home, Payload callArguments) {
        this.remote = remote;
        this.home = home;
        this.callArguments = callArguments;
    }

    @Override
    StubHook call(List<Object> path, Payload args) {
        args.ensureOwned();
        try {
            // The other session copies the arguments as an application's call would be, with
            // duplicates of our stubs; its streams go on reading and writing ours.
            List<?> list = args.value instanceof List ? (List<?>) args.value : List.of();
            PromiseImpl result = remote.session().callFromApp(remote,
                    ValueHook.concat(remote.pathOrEmpty(), path), list.toArray());
            return new CrossSessionHook(result, home, args);
        } catch (RuntimeException e) {
            args.dispose();
            throw e;
        }
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        // The other session maps as if its application had recorded the instructions; the
        // captures go with them as stubs of ours, which it wraps in hooks like this one.
        List<StubImpl> ours = new ArrayList<>(captures.size());
        for (StubHook capture : captures) {
            ours.add(StubImpl.local(home, capture));
        }
        StubImpl subject = path.isEmpty() ? remote : remote.below(path);
        return new CrossSessionHook(remote.session().mapFromApp(subject, ours, instructions), home);
    }

    @Override
    StubHook get(List<Object> path) {
        return new CrossSessionHook(remote.getOwned(path), home);
    }

    @Override
    StubHook dup() {
        return new CrossSessionHook(remote.dupAnywhere(), home);
    }

    @Override
    Later<Payload> pull() {
        if (!(remote instanceof PromiseImpl)) {
            return Later.rejected(Errors.error("Tried to resolve a non-promise stub."));
        }
        if (pulled != null) {
            return pulled;
        }
        Later<Payload> later = Later.pending();
        pulled = later;
        // Settled in the other session's order and queued here from its thread, results reach this
        // session in that order: a call waiting for promise arguments from the other session
        // (elements of a map() calling a callback, say) then runs in the order it was made.
        ((PromiseImpl) remote).settledInOrder().whenComplete((value, error) -> home.executor.execute(() -> {
            if (error != null) {
                later.reject(Errors.unwrap(error));
                return;
            }
            try {
                later.resolve(Payload.deepCopyFrom(value, home));
            } catch (RuntimeException e) {
                later.reject(e);
            }
        }));
        return later;
    }

    @Override
    void dispose() {
        remote.close();
        if (callArguments != null) {
            callArguments.dispose();
        }
        if (pulled != null) {
            pulled.whenSettled((payload, error) -> {
                if (payload != null) {
                    payload.dispose();
                }
            });
        }
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        remote.onBroken(error -> home.executor.execute(() -> callback.accept(error)));
    }
}
