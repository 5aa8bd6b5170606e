package capnweb.protocol;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Records a map() function into the instructions of a {@code remap} expression (the reference's
 * MapBuilder). The mapper runs once, on the application's thread, on a {@link Placeholder}; while
 * it runs, calls on the placeholder, on what it returns and on any other stub are recorded here
 * instead of being sent.
 *
 * <p>The instructions' "import table": 0 is the input, positive ids the results of earlier
 * instructions, negative ids the captured stubs.
 */
final class MapRecorder implements Devaluator.Exporter {
    private static final ThreadLocal<MapRecorder> CURRENT = new ThreadLocal<>();

    private final MapRecorder parent;
    private final Session session;
    /** The subject's index in the parent, when nested. */
    private final int subjectInParent;
    private final List<Object> subjectPath;
    /** Top level: the captured stubs (owned duplicates). Nested: indexes in the parent. */
    private final List<StubImpl> captures = new ArrayList<>();
    private final List<Integer> parentCaptures = new ArrayList<>();
    private final Map<StubImpl.Cell, Integer> captureIndex = new IdentityHashMap<>();
    private final JsonArray instructions = new JsonArray();

    private MapRecorder(MapRecorder parent, Session session, int subjectInParent, List<Object> subjectPath) {
        this.parent = parent;
        this.session = session;
        this.subjectInParent = subjectInParent;
        this.subjectPath = subjectPath;
    }

    /** @return the recorder of the mapper running on this thread, if any */
    static MapRecorder current() {
        return CURRENT.get();
    }

    /** Runs {@code mapper} over {@code subject} and sends (or, nested, records) the map. */
    static RpcPromise map(StubImpl subject, Function<? super RpcPromise, ?> mapper) {
        MapRecorder outer = CURRENT.get();
        MapRecorder recorder = outer == null
                ? new MapRecorder(null, subject.session, 0, subject.pathOrEmpty())
                : new MapRecorder(outer, subject.session, outer.subjectIndex(subject), subjectPath(subject));
        Object result;
        CURRENT.set(recorder);
        try {
            result = mapper.apply(new Placeholder(recorder, 0, List.of()));
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
        if (result instanceof CompletionStage && !(result instanceof Placeholder)) {
            throw new IllegalArgumentException("RPC map() callbacks cannot be async: return what the calls "
                    + "return, without waiting for them.");
        }
        recorder.instructions.add(recorder.devaluate(result));
        if (outer != null) {
            JsonArray caps = new JsonArray();
            for (int index : recorder.parentCaptures) {
                caps.add(Devaluator.special("import", new JsonPrimitive(index)));
            }
            outer.instructions.add(Devaluator.special("remap", new JsonPrimitive(recorder.subjectInParent),
                    Evaluator.pathToJson(recorder.subjectPath), caps, recorder.instructions));
            return new Placeholder(outer, outer.instructions.size(), List.of());
        }
        return subject.session.mapFromApp(subject, recorder.captures, recorder.instructions);
    }

    /** Where a stub is in this recorder's table: its own placeholder's index, or a capture. */
    private int subjectIndex(StubImpl subject) {
        return subject instanceof Placeholder && ((Placeholder) subject).recorder == this
                ? ((Placeholder) subject).index : capture(subject);
    }

    private static List<Object> subjectPath(StubImpl subject) {
        return subject.pathOrEmpty();
    }

    /** Records a call (or, with null args, a property read) and returns a placeholder for its result. */
    Placeholder record(StubImpl target, List<Object> path, Object[] args) {
        int subject = subjectIndex(target);
        JsonArray instruction = Devaluator.special("pipeline", new JsonPrimitive(subject), Evaluator.pathToJson(path));
        if (args != null) {
            JsonElement devalued = devaluate(java.util.Arrays.asList(args));
            instruction.add(devalued.getAsJsonArray().get(0));
        }
        instructions.add(instruction);
        return new Placeholder(this, instructions.size(), List.of());
    }

    private JsonElement devaluate(Object value) {
        return Devaluator.devaluate(AppValues.snapshot(value, null), this);
    }

    /** The index of a captured stub (negative), capturing it on first use. */
    private int capture(StubImpl stub) {
        Integer existing = captureIndex.get(stub.cell);
        if (existing != null) {
            return existing;
        }
        if (parent != null) {
            parentCaptures.add(parent.subjectIndex(stub.root()));
        } else {
            captures.add(stub.root().dupAnywhere());
        }
        int index = -(parent != null ? parentCaptures.size() : captures.size());
        captureIndex.put(stub.cell, index);
        return index;
    }

    // ------------------------------------------------------------------------------------------
    // Devaluator.Exporter: stubs in the mapper's values are placeholders or captures.

    @Override
    public Long captureOf(StubImpl stub) {
        return (long) subjectIndex(stub);
    }

    @Override
    public long exportStub(StubHook hook) {
        throw Errors.error("Can't construct an RpcTarget or RPC callback inside a mapper function. Make a stub of "
                + "it before map(), with RpcStub.of(target), and use that stub inside the mapper.");
    }

    @Override
    public long exportPromise(StubHook hook) {
        return exportStub(hook);
    }

    @Override
    public Long getImport(StubHook hook) {
        return null;
    }

    @Override
    public void unexport(List<Long> ids) {
        // Nothing was exported.
    }

    @Override
    public Optional<Throwable> onSendError(Throwable error) {
        return Optional.empty();
    }

    /**
     * What the mapper works on: the input, or the result of a recorded call, possibly with a
     * property path. It can only be used to record more calls; waiting for it is an error.
     */
    static final class Placeholder extends PromiseImpl {
        final MapRecorder recorder;
        final int index;

        Placeholder(MapRecorder recorder, int index, List<Object> path) {
            super(recorder.session, new Cell(), path, false);
            this.recorder = recorder;
            this.index = index;
        }

        private static IllegalStateException misuse() {
            return new IllegalStateException("Attempted to use an abstract placeholder from a mapper function. "
                    + "Please make sure your map function has no side effects.");
        }

        private MapRecorder live() {
            if (MapRecorder.current() == null) {
                throw misuse();
            }
            return MapRecorder.current();
        }

        @Override
        public RpcPromise call(String method, Object... args) {
            return live().record(this, ValueHook.concat(pathOrEmpty(), List.of(method)),
                    args == null ? new Object[] {null} : args);
        }

        @Override
        public RpcPromise invoke(Object... args) {
            return live().record(this, pathOrEmpty(), args == null ? new Object[] {null} : args);
        }

        @Override
        public RpcPromise get(String property) {
            return new Placeholder(recorder, index, ValueHook.concat(pathOrEmpty(), List.of(property)));
        }

        @Override
        public RpcPromise get(int index) {
            return new Placeholder(recorder, this.index, ValueHook.concat(pathOrEmpty(), List.of((long) index)));
        }

        @Override
        public RpcPromise map(Function<? super RpcPromise, ?> mapper) {
            live();
            return MapRecorder.map(this, mapper);
        }

        @Override
        public RpcStub dup() {
            return this;
        }

        @Override
        StubImpl root() {
            return pathOrEmpty().isEmpty() ? this : new Placeholder(recorder, index, List.of());
        }

        @Override
        public void close() {
            // Nothing is held.
        }

        @Override
        java.util.concurrent.CompletableFuture<Object> future() {
            throw misuse();
        }

        @Override
        public Object join() {
            throw misuse();
        }

        @Override
        public Object join(java.time.Duration timeout) {
            throw misuse();
        }

        @Override
        public capnweb.api.Registration onBroken(java.util.function.Consumer<? super Throwable> callback) {
            throw misuse();
        }
    }
}
