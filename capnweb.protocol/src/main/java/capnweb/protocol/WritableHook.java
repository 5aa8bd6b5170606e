package capnweb.protocol;

import capnweb.api.Undefined;
import com.google.gson.JsonArray;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A hook over a local writable stream that a peer writes to (the export behind a
 * {@code ["writable", id]} or a {@code ["pipe"]}): it accepts only the calls {@code write(chunk)},
 * {@code close()} and {@code abort(reason)}, hands them to the sink in the order they arrived,
 * and resolves each once the sink accepted it. If the last reference goes away before
 * {@code close()}, the sink is aborted, as when the connection dropped.
 */
final class WritableHook extends StubHook {

    /** Shared by every duplicate: one sink, one reference count, one order of operations. */
    private static final class State {
        final Streams.Sink sink;
        final Session session;
        int refcount = 1;
        boolean closed;
        Later<Void> tail = Later.resolved(null);

        State(Streams.Sink sink, Session session) {
            this.sink = sink;
            this.session = session;
        }
    }

    private State state;

    private WritableHook(State state) {
        this.state = state;
    }

    static WritableHook create(Streams.Sink sink, Session session) {
        return new WritableHook(new State(sink, session));
    }

    @Override
    StubHook call(List<Object> path, Payload args) {
        State s = state;
        try {
            if (s == null) {
                throw Errors.error("Attempted to use a WritableStreamStubHook after it was disposed.");
            }
            if (path.size() != 1 || !(path.get(0) instanceof String)) {
                throw Errors.error("WritableStream stub only supports direct method calls");
            }
            String method = (String) path.get(0);
            if (!method.equals("write") && !method.equals("close") && !method.equals("abort")) {
                throw Errors.error("Unknown WritableStream method: " + method);
            }
            if (!method.equals("write")) {
                s.closed = true;
            }
            args.ensureOwned();
            Later<Void> ready = args.deliver();
            // Operations reach the sink in arrival order; each one waits for its own arguments.
            Later<CompletionStage<Void>> started = s.tail.then(x -> ready).then(x -> start(s.sink, method, args));
            s.tail = started.then(x -> null, e -> null);
            Later<StubHook> done = started.then(stage -> s.session.laterOf(stage)
                    .then(v -> new PayloadHook(Payload.of(Undefined.INSTANCE), s.session)));
            done.whenSettled((h, e) -> args.dispose());
            return new PromiseHook(done);
        } catch (RuntimeException e) {
            args.dispose();
            return new ErrorHook(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static CompletionStage<Void> start(Streams.Sink sink, String method, Payload args) {
        List<Object> a = args.value instanceof List ? (List<Object>) args.value : List.of();
        Object first = a.isEmpty() ? Undefined.INSTANCE : a.get(0);
        switch (method) {
            case "write":
                return sink.write(first);
            case "close":
                return sink.close();
            default:
                return sink.abort(first instanceof Throwable ? (Throwable) first : Errors.fromValue(first));
        }
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        captures.forEach(StubHook::dispose);
        return new ErrorHook(Errors.error("Cannot use map() on a WritableStream"));
    }

    @Override
    StubHook get(List<Object> path) {
        return new ErrorHook(Errors.error("Cannot access properties on a WritableStream stub"));
    }

    @Override
    StubHook dup() {
        State s = state;
        if (s == null) {
            throw Errors.error("Attempted to use a WritableStreamStubHook after it was disposed.");
        }
        s.refcount++;
        return new WritableHook(s);
    }

    @Override
    Later<Payload> pull() {
        return Later.rejected(Errors.error("Cannot pull a WritableStream stub"));
    }

    @Override
    void dispose() {
        State s = state;
        state = null;
        if (s != null && --s.refcount == 0 && !s.closed) {
            s.closed = true;
            s.sink.abort(Errors.error("WritableStream RPC stub was disposed without calling close()"));
        }
    }

    /** Whether the peer may still write or close: this hook is live and the sink not closed. */
    boolean isOpen() {
        State s = state;
        return s != null && !s.closed;
    }

    /** The peer will never write again: an unclosed sink is aborted after what it was sent. */
    void endOfInput(Throwable why) {
        if (isOpen()) {
            State s = state;
            s.closed = true;
            s.tail = s.tail.then(x -> {
                s.sink.abort(why);
                return null;
            });
        }
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        // A writer notices a broken stream when a write fails.
    }
}
