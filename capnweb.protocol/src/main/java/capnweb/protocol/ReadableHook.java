package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sits in the payload that delivered a received readable stream, so that a stream nobody
 * subscribed to is canceled when that payload is released, as the reference does. A stream that
 * has a reader is that reader's responsibility. Every RPC operation on it fails.
 */
final class ReadableHook extends StubHook {
    private static final class State {
        final Pipe pipe;
        int refcount = 1;

        State(Pipe pipe) {
            this.pipe = pipe;
        }
    }

    private State state;

    ReadableHook(Pipe pipe) {
        this.state = new State(pipe);
    }

    private ReadableHook(State state) {
        this.state = state;
    }

    @Override
    StubHook call(List<Object> path, Payload args) {
        args.dispose();
        return new ErrorHook(Errors.error("Cannot call methods on a ReadableStream stub"));
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        captures.forEach(StubHook::dispose);
        return new ErrorHook(Errors.error("Cannot use map() on a ReadableStream"));
    }

    @Override
    StubHook get(List<Object> path) {
        return new ErrorHook(Errors.error("Cannot access properties on a ReadableStream stub"));
    }

    @Override
    StubHook dup() {
        if (state == null) {
            throw Errors.error("Attempted to dup a ReadableStreamStubHook after it was disposed.");
        }
        state.refcount++;
        return new ReadableHook(state);
    }

    @Override
    Later<Payload> pull() {
        return Later.rejected(Errors.error("Cannot pull a ReadableStream stub"));
    }

    @Override
    void dispose() {
        State s = state;
        state = null;
        if (s != null && --s.refcount == 0 && !s.pipe.isSubscribed()) {
            s.pipe.cancel(Errors.error("ReadableStream RPC stub was disposed without being consumed"));
        }
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        // A reader notices a broken stream as an error signal.
    }
}
