package capnweb.protocol;

import capnweb.api.OutgoingCallInterceptor;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRequest;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One Cap'n Web session: the import and export tables, the handling of each message kind, and
 * the session's end. All state is confined to the session's {@link SessionExecutor}; the
 * transport's threads and application threads only hand work in.
 */
class Session implements RpcSession, MessageReceiver, Devaluator.Exporter, Evaluator.Importer {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    /** An entry of the export table. */
    static final class ExportEntry {
        final StubHook hook;
        int refcount = 1;
        boolean autoRelease;
        boolean pulling;
        /** For a pipe the peer created: its readable end, until a readable expression takes it. */
        Pipe pipe;

        ExportEntry(StubHook hook) {
            this.hook = hook;
        }
    }

    final SessionExecutor executor;
    /**
     * Whether callers may lend their thread to the session ({@link SessionExecutor#executeHere}):
     * only when it runs on the engine's own pool, never when the application chose an executor
     * for its target methods.
     */
    private final boolean lendsThreads;
    /** Whether arriving messages are handled on the transport's delivering thread when idle. */
    private final boolean receivesHere;
    /** Where promise callbacks run (see {@link #promiseCallbackExecutor}); made once, not per promise. */
    private final Executor promiseCallbacks;
    /** Made on first use (confined to the session thread): most sessions never register a callback. */
    private SessionExecutor callbacks;
    final SessionOptions options;
    final SessionLimits limits;
    private final MessageTransport transport;
    /** The request that opened the session on a server, if its transport described it; else null. */
    private final SessionRequest request;

    private final LongMap<ExportEntry> exports = new LongMap<>();
    /** Our own exports by hook; made on first use, since most sessions (every small batch) export none. */
    private IdentityHashMap<StubHook, Long> reverseExports;
    private final LongMap<ImportHook.Entry> imports = new LongMap<>();
    /**
     * The box of the first local target, kept out of {@link #targetBoxes}: most sessions hold
     * one, their main object, and a map would cost each of them its identity hash and a table.
     */
    private TargetHook.Box firstTargetBox;
    /** The boxes of the other local targets; made on first use. */
    private IdentityHashMap<Object, TargetHook.Box> targetBoxes;
    private final List<Consumer<Throwable>> onBrokenCallbacks = new ArrayList<>();
    private long nextExportId = -1;
    private long nextImportId = 1;
    private long nextPeerExportId;
    private int pullCount;
    private Later<Void> batchDone;

    private volatile Throwable abortReason;
    private volatile int importCount;
    private volatile int exportCount;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Where each stub the application holds was made; null unless SessionOptions.trackStubLeaks. */
    private final Map<StubImpl, Throwable> stubOrigins;

    Session(MessageTransport transport, Object localMain, SessionOptions options) {
        this(transport, localMain, options, options.executor().orElse(null), null);
    }

    /**
     * @param runOn where the session's work runs, in place of the options' executor (which an
     *     HTTP batch would otherwise have to copy the options to set); null for the engine's pool
     * @param request the request that opened the session on a server, or null
     */
    Session(MessageTransport transport, Object localMain, SessionOptions options, Executor runOn,
            SessionRequest request) {
        this.transport = transport;
        this.request = request;
        this.options = options;
        this.stubOrigins = options.trackStubLeaks()
                ? java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>()) : null;
        this.executor = new SessionExecutor(runOn == null ? EnginePools.SHARED : runOn, options.directExecutor());
        this.executor.flushWith(this::flushSends);
        // With directExecutor() the application promised that its targets and callbacks never
        // block, so what they send may wait for the end of the turn like the engine's own work.
        this.executor.applicationMayBlock(!options.directExecutor());
        this.promiseCallbacks = options.directExecutor() ? executor::microtask : executor::deliver;
        this.lendsThreads = runOn == null;
        this.receivesHere = lendsThreads && transport.deliveryThreadsMayBlock();
        this.limits = new SessionLimits(this, options);
        // Export 0 is our main object, import 0 the peer's; the session itself holds a reference
        // to import 0 so that closing main() stubs never releases it. Set up here, before any
        // task can run; the executor's queue publishes it to the tasks.
        StubHook mainHook;
        if (localMain == null || localMain == Undefined.INSTANCE) {
            mainHook = new ErrorHook(Errors.error("This connection has no main object."));
        } else {
            mainHook = new PayloadHook(Payload.fromReturn(localMain, this, s -> false), this);
        }
        exports.put(0L, new ExportEntry(mainHook));
        ImportHook.Entry peerMain = new ImportHook.Entry(this, 0, false);
        peerMain.localRefcount = 1;
        imports.put(0L, peerMain);
        updateCounts();
    }

    /** Starts receiving; separate from construction so that subclasses are fully built first. */
    void start() {
        try {
            transport.start(this);
        } catch (RuntimeException e) {
            executor.execute(() -> abort(e, false));
        }
    }

    // ------------------------------------------------------------------------------------------
    // MessageReceiver: called from transport threads, only enqueues.

    @Override
    public void onMessage(String message) {
        Runnable task = () -> receive(message);
        if (receivesHere) {
            executor.executeHere(task);
        } else {
            executor.execute(task);
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        executor.execute(() -> {
            if (abortReason == null) {
                abort(Errors.connectionLost(cause), false);
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // Receiving

    private void receive(String text) {
        if (abortReason != null) {
            return;
        }
        try {
            if (LOG.isLoggable(System.Logger.Level.TRACE)) {
                LOG.log(System.Logger.Level.TRACE, "recv " + text);
            }
            if (text.length() > options.maxMessageSize()) {
                throw Errors.type("Incoming message exceeds maximum size of " + options.maxMessageSize()
                        + " UTF-16 code units.");
            }
            if (dispatchWithoutTree(text)) {
                return;
            }
            // Escaped arrays nest two JSON levels per evaluation level, and the envelope adds a few.
            int nesting = (int) Math.min(Integer.MAX_VALUE, 2L * options.maxDepth() + 8);
            JsonElement msg = Json.parse(text, nesting, options.maxDepth());
            if (!dispatch(msg)) {
                throw Errors.error("bad RPC message: " + Json.write(msg));
            }
        } catch (RuntimeException e) {
            abort(e, true);
        } catch (StackOverflowError e) {
            // Only reachable with a maxDepth far above the default.
            abort(Errors.type("Deserialization exceeded the available stack; lower SessionOptions.maxDepth."), true);
        }
    }

    /**
     * Handles the four messages of a typical call straight from their text, without a JSON tree,
     * when they are written as every implementation writes them: {@code ["push", reference]} and
     * {@code ["resolve", id, value]} whose parts are all plain data ({@link FastParser#plain},
     * {@link Evaluator.PlainReference}), {@code ["pull", id]} and {@code ["release", id, refcount]}.
     * The text is read to its end before anything is done.
     *
     * @return false, having done nothing, if the text is anything else, which then takes the
     *     general path (and gets its errors)
     */
    private boolean dispatchWithoutTree(String text) {
        if (text.startsWith("[\"push\",")) {
            FastParser p = FastParser.at(text, 8);
            Evaluator.PlainReference reference = Evaluator.PlainReference.read(p, options.maxDepth());
            if (reference == null || !p.skip(']') || !p.atEnd()) {
                return false;
            }
            Payload payload = reference.evaluate(this);
            addExport(nextPeerExportId(), new ExportEntry(new PayloadHook(payload, this)));
            return true;
        }
        if (text.startsWith("[\"pull\",")) {
            FastParser p = FastParser.at(text, 8);
            long id = p.wholeNumber();
            if (id == FastParser.NOT_WHOLE || !p.skip(']') || !p.atEnd()) {
                return false;
            }
            ensureResolvingExport(id);
            return true;
        }
        if (text.startsWith("[\"resolve\",")) {
            FastParser p = FastParser.at(text, 11);
            long id = p.wholeNumber();
            if (id == FastParser.NOT_WHOLE || !p.skip(',')) {
                return false;
            }
            Object value = p.plain(0, options.maxDepth());
            if (value == FastParser.NOT_PLAIN || !p.skip(']') || !p.atEnd()) {
                return false;
            }
            // A plain value holds no references, so a resolution nobody imports any more is dropped.
            ImportHook.Entry imp = imports.get(id);
            if (imp != null) {
                imp.resolve(new PayloadHook(Payload.of(value), this));
            }
            return true;
        }
        if (text.startsWith("[\"release\",")) {
            FastParser p = FastParser.at(text, 11);
            long id = p.wholeNumber();
            if (id == FastParser.NOT_WHOLE || !p.skip(',')) {
                return false;
            }
            long refcount = p.wholeNumber();
            if (refcount == FastParser.NOT_WHOLE || !p.skip(']') || !p.atEnd()) {
                return false;
            }
            releaseExport(id, refcount);
            return true;
        }
        return false;
    }

    /** @return false if the message is malformed */
    private boolean dispatch(JsonElement element) {
        if (!element.isJsonArray()) {
            return false;
        }
        JsonArray msg = element.getAsJsonArray();
        if (msg.size() == 0 || !Evaluator.isString(msg.get(0))) {
            return false;
        }
        switch (msg.get(0).getAsString()) {
            case "push": {
                if (msg.size() < 2) {
                    return false;
                }
                Payload payload = Evaluator.evaluate(msg.get(1), this);
                addExport(nextPeerExportId(), new ExportEntry(new PayloadHook(payload, this)));
                return true;
            }
            case "stream": {
                if (msg.size() < 2) {
                    return false;
                }
                Payload payload = Evaluator.evaluate(msg.get(1), this);
                long id = nextPeerExportId();
                ExportEntry entry = new ExportEntry(new PayloadHook(payload, this));
                entry.autoRelease = true;
                addExport(id, entry);
                ensureResolvingExport(id);
                return true;
            }
            case "pipe": {
                // The writable end is the export the peer writes to; the readable end waits for
                // the ["readable", id] expression that hands it to the application.
                Pipe pipe = new Pipe(deliveryExecutor());
                ExportEntry entry = new ExportEntry(WritableHook.create(pipe, this));
                entry.pipe = pipe;
                addExport(nextPeerExportId(), entry);
                return true;
            }
            case "pull": {
                if (msg.size() < 2 || !Evaluator.isNumber(msg.get(1))) {
                    return false;
                }
                ensureResolvingExport(id(msg.get(1)));
                return true;
            }
            case "resolve":
            case "reject": {
                if (msg.size() < 3 || !Evaluator.isNumber(msg.get(1))) {
                    return false;
                }
                boolean resolve = msg.get(0).getAsString().equals("resolve");
                Double raw = msg.get(1).getAsDouble();
                ImportHook.Entry imp = isWhole(raw) ? imports.get(raw.longValue()) : null;
                if (imp != null) {
                    Payload payload = Evaluator.evaluate(msg.get(2), this);
                    if (resolve) {
                        imp.resolve(new PayloadHook(payload, this));
                    } else {
                        payload.dispose();
                        imp.resolve(new ErrorHook(Errors.fromValue(payload.value)));
                    }
                } else if (resolve) {
                    // Released already; evaluate only to release what the resolution holds.
                    Evaluator.evaluate(msg.get(2), this).dispose();
                }
                return true;
            }
            case "release": {
                if (msg.size() < 3 || !Evaluator.isNumber(msg.get(1)) || !Evaluator.isNumber(msg.get(2))) {
                    return false;
                }
                releaseExport(id(msg.get(1)), msg.get(2).getAsDouble());
                return true;
            }
            case "abort": {
                Object reason;
                if (msg.size() < 2) {
                    reason = Undefined.INSTANCE;
                } else {
                    Payload payload = Evaluator.evaluate(msg.get(1), this);
                    payload.dispose();
                    reason = payload.value;
                }
                abort(Errors.fromValue(reason), false);
                return true;
            }
            default:
                return false;
        }
    }

    private static boolean isWhole(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d);
    }

    /** An id from a message; a fractional one cannot name an entry, so it maps to a missing id. */
    private static double id(JsonElement e) {
        return e.getAsDouble();
    }

    private long nextPeerExportId() {
        // Pushes take the next positive id, counted on our side by how many we have seen.
        return ++nextPeerExportId;
    }

    private void addExport(long id, ExportEntry entry) {
        exports.put(id, entry);
        updateCounts();
    }

    // ------------------------------------------------------------------------------------------
    // Exporter

    @Override
    public long exportStub(StubHook hook) {
        throwIfAborted();
        Long existing = reverseExports == null ? null : reverseExports.get(hook);
        if (existing != null) {
            exports.get(existing).refcount++;
            return existing;
        }
        long id = nextExportId--;
        exports.put(id, new ExportEntry(hook));
        reverseExport(hook, id);
        updateCounts();
        return id;
    }

    @Override
    public long exportPromise(StubHook hook) {
        throwIfAborted();
        // Promises always take a new id, or the peer could miss the resolution.
        long id = nextExportId--;
        exports.put(id, new ExportEntry(hook));
        reverseExport(hook, id);
        updateCounts();
        ensureResolvingExport(id);
        return id;
    }

    private void reverseExport(StubHook hook, long id) {
        if (reverseExports == null) {
            // Small: the default size allocates a 64-slot table up front.
            reverseExports = new IdentityHashMap<>(4);
        }
        reverseExports.put(hook, id);
    }

    @Override
    public Long getImport(StubHook hook) {
        if (hook instanceof ImportHook) {
            ImportHook.Entry e = ((ImportHook) hook).entry();
            if (e != null && e.session == this) {
                return e.importId;
            }
        }
        return null;
    }

    @Override
    public void unexport(List<Long> ids) {
        for (long id : ids) {
            releaseExport(id, 1);
        }
    }

    @Override
    public Optional<Throwable> onSendError(Throwable error) {
        return options.onSendError().apply(error);
    }

    private void releaseExport(double rawId, double refcount) {
        ExportEntry entry = isWhole(rawId) ? exports.get((long) rawId) : null;
        if (entry == null) {
            throw Errors.error("no such export ID: " + Json.numberText(rawId));
        }
        if (!(refcount >= 1) || refcount != Math.rint(refcount) || refcount > Integer.MAX_VALUE) {
            throw Errors.error("bad refcount in release: " + Json.numberText(refcount)
                    + "; it must be a positive whole number.");
        }
        if (entry.refcount < refcount) {
            throw Errors.error("refcount would go negative: " + entry.refcount + " < " + Json.number(refcount));
        }
        entry.refcount -= (int) refcount;
        if (entry.refcount == 0) {
            exports.remove((long) rawId);
            if (rawId < 0) {
                // Only our own exports (negative ids) are in the reverse map, made with the first
                // of them; looking up a push's hook there would cost an identity hash for nothing.
                reverseExports.remove(entry.hook);
            }
            updateCounts();
            entry.hook.dispose();
            if (entry.pipe != null) {
                // Its readable end can no longer be named, so nobody can ever read what waits in it.
                entry.pipe.cancel(Errors.error("The pipe was released before its readable end was read, so what "
                        + "was written to it will never be read."));
            }
        }
    }

    private void ensureResolvingExport(double rawId) {
        ExportEntry exp = isWhole(rawId) ? exports.get((long) rawId) : null;
        if (exp == null) {
            throw Errors.error("no such export ID: " + Json.number(rawId));
        }
        if (exp.pulling) {
            return;
        }
        exp.pulling = true;
        long exportId = (long) rawId;
        boolean autoRelease = exp.autoRelease;
        pullCount++;
        resolveChain(exp.hook).whenSettled((payload, error) -> {
            try {
                if (error == null) {
                    // The payload stays with the hook, which keeps serving pipelined calls.
                    StringBuilder text = new StringBuilder(64).append("[\"resolve\",").append(exportId).append(',');
                    int valueStart = text.length();
                    try {
                        if (!Devaluator.writePlain(payload.value, text, 0)) {
                            text.setLength(valueStart);
                            Json.write(Devaluator.devaluate(payload.value, this), text);
                        }
                    } catch (RuntimeException serializationFailed) {
                        sendReject(exportId, serializationFailed);
                        return;
                    }
                    sendText(text.append(']').toString());
                } else {
                    sendReject(exportId, error);
                }
            } catch (RuntimeException e) {
                abort(e, true);
            } finally {
                if (autoRelease && abortReason == null && exports.containsKey(exportId)) {
                    try {
                        releaseExport(exportId, 1);
                    } catch (RuntimeException e) {
                        abort(e, true);
                    }
                }
                if (--pullCount == 0 && batchDone != null) {
                    batchDone.resolve(null);
                }
            }
        });
    }

    private void sendReject(long exportId, Throwable error) {
        send(Devaluator.special("reject", new JsonPrimitive(exportId), Devaluator.devaluate(error, this)));
    }

    /**
     * Pulls a hook; when it resolves to another local promise (not one of the peer's), keeps
     * waiting for that, since telling the peer about the intermediate promise is useless.
     */
    private Later<Payload> resolveChain(StubHook hook) {
        return hook.pull().then(payload -> {
            if (payload.value instanceof PromiseImpl) {
                PromiseImpl inner = (PromiseImpl) payload.value;
                if (inner.pathOrEmpty().isEmpty() && getImport(hook) == null) {
                    return resolveChain(inner.hookOnThread());
                }
            }
            return payload;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Importer

    @Override
    public StubHook importStub(long id) {
        throwIfAborted();
        ImportHook.Entry entry = imports.get(id);
        if (entry == null) {
            entry = new ImportHook.Entry(this, id, false);
            imports.put(id, entry);
            if (id >= nextImportId) {
                nextImportId = id + 1;
            }
            updateCounts();
        } else {
            // The peer introduced the same id again: one more to release, as the protocol counts.
            entry.remoteRefcount++;
        }
        return new ImportHook(false, entry);
    }

    @Override
    public StubHook importPromise(long id) {
        throwIfAborted();
        if (imports.containsKey(id)) {
            return new ErrorHook(Errors.error("Bug in RPC system: The peer sent a promise reusing an existing export ID."));
        }
        ImportHook.Entry entry = new ImportHook.Entry(this, id, true);
        imports.put(id, entry);
        if (id >= nextImportId) {
            nextImportId = id + 1;
        }
        updateCounts();
        return new ImportHook(true, entry);
    }

    @Override
    public Pipe pipeReadable(long id) {
        ExportEntry e = exports.get(id);
        if (e == null || e.pipe == null) {
            throw Errors.error("Export " + id + " is not a pipe or its readable end was already consumed.");
        }
        Pipe pipe = e.pipe;
        e.pipe = null;
        return pipe;
    }

    @Override
    public long createPipe(java.util.concurrent.Flow.Publisher<?> readable) {
        throwIfAborted();
        send(Devaluator.special("pipe"));
        long importId = nextImportId++;
        ImportHook.Entry entry = new ImportHook.Entry(this, importId, false);
        imports.put(importId, entry);
        updateCounts();
        RemoteWritable writer = new RemoteWritable(this, new ImportHook(false, entry));
        if (readable instanceof Pipe) {
            // A stream this engine received: subscribed at once, before whatever delivered it is
            // released and, finding it unread, cancels it. Its signals run on its own executor.
            readable.subscribe(writer);
        } else {
            // The application's publisher may do anything in subscribe(): not on the session thread.
            deliveryExecutor().execute(() -> readable.subscribe(writer));
        }
        return importId;
    }

    @Override
    public long exportWritable(java.util.concurrent.Flow.Subscriber<?> writable) {
        throwIfAborted();
        if (writable instanceof RemoteWritable) {
            // A writable stream this engine received, passed on: writes and the close go straight
            // to it, so each is acknowledged where it lands, not by a local pipe ahead of it (a
            // close acknowledged early let the call that wrote it end, and its arguments, with
            // that writable, be released before the close had gone on).
            return exportStub(WritableHook.create(((RemoteWritable) writable).asSink(), this));
        }
        Pipe feed = new Pipe(deliveryExecutor());
        @SuppressWarnings("unchecked")
        java.util.concurrent.Flow.Subscriber<Object> s = (java.util.concurrent.Flow.Subscriber<Object>) writable;
        feed.subscribe(s);
        return exportStub(WritableHook.create(feed, this));
    }

    @Override
    public StubHook getExport(long id) {
        ExportEntry e = exports.get(id);
        return e == null ? null : e.hook;
    }

    @Override
    public Session session() {
        return this;
    }

    @Override
    public int maxDepth() {
        return options.maxDepth();
    }

    @Override
    public int maxBigIntDigits() {
        return options.maxBigIntDigits();
    }

    // ------------------------------------------------------------------------------------------
    // Sending

    /** @return the length of the message text, 0 if not sent */
    int send(JsonArray msg) {
        return abortReason != null ? 0 : sendText(Json.write(msg));
    }

    /**
     * Sends a message already written as text: the messages of every call (push, pull, resolve,
     * release) are written straight to text, without a JSON tree for their fixed parts.
     *
     * @return the length of the message text, 0 if not sent
     */
    private int sendText(String text) {
        if (abortReason != null) {
            return 0;
        }
        if (LOG.isLoggable(System.Logger.Level.TRACE)) {
            LOG.log(System.Logger.Level.TRACE, "send " + text);
        }
        try {
            transport.send(text);
            // Held for the end of the turn only in the engine's own work: messages sent by
            // application code, or from outside the session, are written at once.
            if (executor.inExecutor() && !executor.inApplicationCode()) {
                unflushedChars += text.length();
                if (unflushedChars >= FLUSH_AT_CHARS) {
                    // A turn of large answers is written as it goes, not held up to the
                    // queue limit.
                    unflushedChars = 0;
                    transport.flush();
                }
            } else {
                transport.flush();
            }
            limits.checkQueue(transport);
        } catch (RuntimeException e) {
            // Like the reference: abort without trying to send over the broken transport, after
            // the caller finished its own bookkeeping.
            executor.microtask(() -> abort(e, false));
        }
        return text.length();
    }

    /** How much text a turn may hold back before it is written anyway. */
    static final int FLUSH_AT_CHARS = 64 * 1024;

    /** The length of the messages sent in this turn and not yet flushed. Session thread only. */
    private long unflushedChars;

    /**
     * Writes what this turn sent: at the end of the turn, and before application code runs. The
     * transport may hold it for a moment while it delivers a burst of received messages.
     */
    private void flushSends() {
        if (unflushedChars > 0) {
            unflushedChars = 0;
            try {
                transport.flushSoon();
            } catch (RuntimeException e) {
                executor.microtask(() -> abort(e, false));
            }
        }
    }

    ImportHook sendCall(long id, List<Object> path, Payload args) {
        if (abortReason != null) {
            if (args != null) {
                args.dispose();
            }
            throw asRuntime(abortReason);
        }
        StringBuilder text = new StringBuilder(64).append("[\"push\",[\"pipeline\",").append(id).append(',');
        Evaluator.writePath(path, text);
        if (args != null) {
            // The arguments are a list, escaped as [[...]]; the call carries the inner array.
            int argsStart = text.append(',').length();
            try {
                if (!(args.value instanceof List && Devaluator.writePlainArray((List<?>) args.value, text, 1))) {
                    text.setLength(argsStart);
                    Json.write(Devaluator.devaluate(args.value, this).getAsJsonArray().get(0), text);
                }
            } catch (RuntimeException e) {
                args.dispose();
                throw e;
            }
            // Sending took over what the arguments referenced (as exports of dups); release ours.
            args.dispose();
        }
        sendText(text.append("]]").toString());
        return newImport(false);
    }

    /** A write, close or abort sent as a {@code stream} message, and the message's size. */
    record StreamSend(Later<Void> done, int size) {
    }

    /**
     * Sends a call on a writable stream import as a {@code ["stream", ...]} message: pulled at
     * once and released by the peer with its resolution, so it needs no pull or release. A hook
     * that is not a live import of this session gets the call directly (size -1).
     */
    StreamSend sendStream(StubHook hook, List<Object> path, Payload args) {
        ImportHook.Entry target = hook instanceof ImportHook ? ((ImportHook) hook).entry() : null;
        if (target == null || target.session != this || target.resolution != null) {
            StubHook result;
            try {
                result = target != null && target.resolution != null ? target.resolution.call(path, args)
                        : hook.call(path, args);
            } catch (RuntimeException e) {
                return new StreamSend(Later.rejected(e), -1);
            }
            Later<Void> done = result.pull().then(p -> null);
            done.whenSettled((v, e) -> result.dispose());
            return new StreamSend(done, -1);
        }
        if (abortReason != null) {
            args.dispose();
            throw asRuntime(abortReason);
        }
        JsonArray value = Devaluator.special("pipeline", new JsonPrimitive(target.importId), Evaluator.pathToJson(path));
        JsonElement devalued;
        try {
            devalued = Devaluator.devaluate(args.value, this);
        } catch (RuntimeException e) {
            args.dispose();
            throw e;
        }
        value.add(devalued.getAsJsonArray().get(0));
        args.dispose();
        int size = send(Devaluator.special("stream", value));
        long importId = nextImportId++;
        ImportHook.Entry entry = new ImportHook.Entry(this, importId, true);
        // The peer releases the export itself once it resolved it; nothing of ours refers to it.
        entry.remoteRefcount = 0;
        entry.localRefcount = 1;
        imports.put(importId, entry);
        updateCounts();
        Later<Void> done = entry.awaitResolution().then(p -> {
            p.dispose();
            imports.remove(importId);
            updateCounts();
            return null;
        }, err -> {
            imports.remove(importId);
            updateCounts();
            throw err;
        });
        // The peer answers a stream message as it answers a pull: where it cannot, neither.
        entry.refuseIfUnanswerable();
        return new StreamSend(done, size);
    }

    StubHook sendMap(long id, List<Object> path, List<StubHook> captures, JsonArray instructions) {
        if (abortReason != null) {
            captures.forEach(StubHook::dispose);
            throw asRuntime(abortReason);
        }
        JsonArray caps = new JsonArray();
        List<StubHook> sentAsImports = new ArrayList<>();
        for (StubHook hook : captures) {
            Long importId = getImport(hook);
            if (importId != null) {
                caps.add(Devaluator.special("import", new JsonPrimitive(importId)));
                sentAsImports.add(hook);
            } else {
                // The export table takes the hook over.
                caps.add(Devaluator.special("export", new JsonPrimitive(exportStub(hook))));
            }
        }
        send(Devaluator.special("push", Devaluator.special("remap", new JsonPrimitive(id),
                Evaluator.pathToJson(path), caps, instructions)));
        // The peer now holds its own references to its objects; ours were only for the message.
        sentAsImports.forEach(StubHook::dispose);
        return newImport(false);
    }

    private ImportHook newImport(boolean pulling) {
        long importId = nextImportId++;
        ImportHook.Entry entry = new ImportHook.Entry(this, importId, pulling);
        imports.put(importId, entry);
        updateCounts();
        return new ImportHook(true, entry);
    }

    void sendPull(long id) {
        throwIfAborted();
        sendText("[\"pull\"," + id + "]");
    }

    void sendRelease(long id, int remoteRefcount) {
        if (abortReason != null) {
            return;
        }
        sendText("[\"release\"," + id + "," + remoteRefcount + "]");
        imports.remove(id);
        updateCounts();
    }

    // ------------------------------------------------------------------------------------------
    // onBroken registrations: a sparse list, run in registration order when the session ends.

    int addOnBrokenCallback(Consumer<Throwable> callback) {
        onBrokenCallbacks.add(callback);
        return onBrokenCallbacks.size() - 1;
    }

    Consumer<Throwable> onBrokenCallback(int index) {
        return index < onBrokenCallbacks.size() ? onBrokenCallbacks.get(index) : null;
    }

    int onBrokenCallbackCount() {
        return onBrokenCallbacks.size();
    }

    void clearOnBrokenCallback(int index) {
        if (index < onBrokenCallbacks.size()) {
            onBrokenCallbacks.set(index, null);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Local targets: one shared reference count per object, so close() runs once, at the end.

    TargetHook.Box targetBox(Object target) {
        if (firstTargetBox != null && firstTargetBox.target == target) {
            return firstTargetBox;
        }
        TargetHook.Box box = targetBoxes == null ? null : targetBoxes.get(target);
        if (box != null) {
            return box;
        }
        box = new TargetHook.Box(target);
        if (firstTargetBox == null) {
            firstTargetBox = box;
        } else {
            if (targetBoxes == null) {
                targetBoxes = new IdentityHashMap<>(4);
            }
            targetBoxes.put(target, box);
        }
        return box;
    }

    void releaseTargetBox(TargetHook.Box box) {
        if (firstTargetBox == box) {
            firstTargetBox = null;
        } else if (targetBoxes != null) {
            targetBoxes.remove(box.target, box);
        }
    }

    /** Adapts an application's completion stage to this session's executor. */
    <T> Later<T> laterOf(CompletionStage<T> stage) {
        Later<T> later = Later.pending();
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (f.isDone() && executor.inExecutor()) {
            settle(later, f);
        } else {
            f.whenComplete((v, e) -> executor.execute(() -> settle(later, f)));
        }
        return later;
    }

    private static <T> void settle(Later<T> later, CompletableFuture<T> f) {
        try {
            later.resolve(f.join());
        } catch (RuntimeException e) {
            later.reject(Errors.unwrap(e));
        }
    }

    // ------------------------------------------------------------------------------------------
    // The end

    private void throwIfAborted() {
        if (abortReason != null) {
            throw asRuntime(abortReason);
        }
    }

    static RuntimeException asRuntime(Throwable t) {
        return t instanceof RuntimeException ? (RuntimeException) t : Errors.forApplication(t);
    }

    Throwable abortReason() {
        return abortReason;
    }

    /** Ends the session because of {@code error}; the abort message goes out first if asked. */
    void abort(Throwable error, boolean trySendAbortMessage) {
        end(error, trySendAbortMessage, false);
    }

    private void end(Throwable error, boolean trySendAbortMessage, boolean clean) {
        if (abortReason != null) {
            return;
        }
        if (trySendAbortMessage) {
            try {
                JsonArray abortMsg = Devaluator.special("abort", Devaluator.devaluate(error, this));
                transport.send(Json.write(abortMsg));
                transport.flush();
            } catch (RuntimeException e) {
                // Probably the very reason for the abort: the transport is broken.
            }
        }
        abortReason = error;
        LOG.log(System.Logger.Level.DEBUG, () -> "session ended: " + error);
        if (batchDone != null) {
            batchDone.reject(error);
        }
        try {
            if (clean) {
                transport.close();
            } else {
                transport.abort(error);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The transport failed to close", e);
        }
        // Over a copy, since a callback may register another; most sessions have none.
        for (Consumer<Throwable> callback : onBrokenCallbacks.isEmpty() ? List.<Consumer<Throwable>>of()
                : new ArrayList<>(onBrokenCallbacks)) {
            if (callback != null) {
                try {
                    callback.accept(error);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "An onBroken callback threw", e);
                }
            }
        }
        onBrokenCallbacks.clear();
        for (ImportHook.Entry entry : imports.values()) {
            entry.abort(error);
        }
        for (ExportEntry entry : exports.values()) {
            try {
                entry.hook.dispose();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Releasing an export failed", e);
            }
        }
        reportLeaks();
        if (clean) {
            closed.complete(null);
        } else {
            closed.completeExceptionally(error);
        }
    }

    /**
     * Ends the session without an abort message, rejecting what is pending with {@code reason}
     * and releasing every export: the end of an HTTP batch.
     */
    void endQuietly(Throwable reason) {
        end(reason, false, true);
    }

    /**
     * The peer will send nothing more (an HTTP batch's request was read to its end), so what
     * still waits for it would wait for ever: its promises, the answers to our pulls and stream
     * writes, its writes to our writable streams and pipes, and the pipes whose readable end it
     * never handed to anyone fail with the error {@code why} makes (only if one does: an
     * exception costs more than a small batch's whole session).
     */
    void endOfInput(Supplier<? extends Throwable> why) {
        // Looked for first, without copying the tables: in most batches nothing waits.
        if (!imports.anyValue(ImportHook.Entry::awaitsPeer) && !exports.anyValue(Session::waitsForPeer)) {
            return;
        }
        Throwable error = why.get();
        // Over copies: failing what waits runs reactions that may change the tables.
        for (ImportHook.Entry entry : imports.values()) {
            if (entry.awaitsPeer()) {
                entry.abort(error);
            }
        }
        for (ExportEntry entry : exports.values()) {
            if (entry.hook instanceof WritableHook) {
                ((WritableHook) entry.hook).endOfInput(error);
            }
            if (entry.pipe != null) {
                // No reader can come: writes waiting for one would wait for ever.
                entry.pipe.cancel(error);
            }
        }
    }

    /** Whether an export waits for the peer: a pipe nobody reads yet, or a stream it may write. */
    private static boolean waitsForPeer(ExportEntry entry) {
        return entry.pipe != null || entry.hook instanceof WritableHook && ((WritableHook) entry.hook).isOpen();
    }

    Later<Void> drainLater() {
        if (abortReason != null) {
            return Later.rejected(abortReason);
        }
        if (pullCount > 0) {
            batchDone = Later.pending();
            return batchDone;
        }
        return Later.resolved(null);
    }

    private void updateCounts() {
        int previousImports = importCount;
        int previousExports = exportCount;
        importCount = imports.size();
        exportCount = exports.size();
        limits.checkTables(importCount, previousImports, exportCount, previousExports);
    }

    /**
     * Runs {@code task} on the executor: at once if already there; else, for an application
     * thread, on that thread if the session is idle; else queued.
     */
    void run(Runnable task) {
        if (executor.inExecutor()) {
            task.run();
        } else if (lendsThreads) {
            executor.executeHere(task);
        } else {
            executor.execute(task);
        }
    }

    /** Where application-facing futures complete: never the session thread itself. */
    Executor deliveryExecutor() {
        return EnginePools.DELIVERY;
    }

    /**
     * Where callbacks on this session's promises run: off the session's thread, on the engine's
     * thread that settled them once its turn is over, or on the delivery pool
     * ({@link SessionExecutor#deliver}); with {@code SessionOptions.directExecutor()}, on the
     * session's own thread right after the task that settled them, as promise reactions run in
     * JavaScript.
     */
    Executor promiseCallbackExecutor() {
        return promiseCallbacks;
    }

    /** Where onBroken callbacks run: off the session thread, one at a time, in order. */
    Executor callbackExecutor() {
        if (callbacks == null) {
            callbacks = new SessionExecutor(EnginePools.SHARED);
        }
        return callbacks;
    }

    /**
     * A call the application made on {@code target}: the arguments are copied now, on the
     * application's thread; the call itself runs on the executor (at once if already there).
     */
    PromiseImpl callFromApp(StubImpl target, List<Object> path, Object[] args) {
        List<OutgoingCallInterceptor> interceptors = options.outgoingInterceptors();
        if (!interceptors.isEmpty()) {
            return OutgoingCall.through(interceptors, this, path, Collections.unmodifiableList(Arrays.asList(args)),
                    () -> send(target, path, args));
        }
        return send(target, path, args);
    }

    /** A promise the application gets for a call that failed before it was sent. */
    PromiseImpl rejectedFromApp(Throwable error) {
        PromiseImpl result = (PromiseImpl) StubImpl.pending(this, true);
        trackStub(result);
        result.setHook(new ErrorHook(error));
        return result;
    }

    /** Sends a call the application made, past its interceptors. */
    private PromiseImpl send(StubImpl target, List<Object> path, Object[] args) {
        Object snapshot;
        try {
            snapshot = AppValues.snapshot(Arrays.asList(args), this);
        } catch (RuntimeException e) {
            return rejectedFromApp(e);
        }
        PromiseImpl result = (PromiseImpl) StubImpl.pending(this, true);
        trackStub(result);
        run(() -> {
            try {
                Payload payload = Payload.fromParams(snapshot, this);
                result.setHook(target.hookOnThread().call(path, payload));
            } catch (RuntimeException e) {
                result.setHook(new ErrorHook(e));
            }
        });
        return result;
    }

    /** A map() the application recorded on {@code subject}; takes over {@code captures}. */
    PromiseImpl mapFromApp(StubImpl subject, List<StubImpl> captures, JsonArray instructions) {
        PromiseImpl result = (PromiseImpl) StubImpl.pending(this, true);
        trackStub(result);
        run(() -> {
            List<StubHook> hooks = new ArrayList<>(captures.size());
            try {
                for (StubImpl c : captures) {
                    hooks.add(c.session() == this ? c.takeHook() : new CrossSessionHook(c, this));
                }
                result.setHook(subject.hookOnThread().map(subject.pathOrEmpty(), hooks, instructions));
            } catch (RuntimeException e) {
                hooks.forEach(StubHook::dispose);
                result.setHook(new ErrorHook(e));
            }
        });
        return result;
    }

    /**
     * Why results pulled from the peer can never arrive, or null if they can. An HTTP batch
     * server answers once; waiting for the client would hang the request.
     */
    Throwable pullRefusal() {
        return null;
    }

    /**
     * The application started waiting for a result; {@code blocking} if a thread waits for it.
     * A batch client sends its request now.
     */
    void onAwait(boolean blocking) {
        // Nothing to do for a session over a message transport.
    }

    // ------------------------------------------------------------------------------------------
    // RpcSession

    @Override
    public RpcStub main() {
        StubImpl stub = StubImpl.pending(this, false);
        trackStub(stub);
        run(() -> {
            ImportHook.Entry entry = imports.get(0L);
            stub.setHook(abortReason != null || entry == null ? new ErrorHook(abortReason != null ? abortReason
                    : Errors.error("The peer's main object is gone.")) : new ImportHook(false, entry));
        });
        return stub;
    }

    @Override
    public SessionStats stats() {
        return new SessionStats(importCount, exportCount);
    }

    @Override
    public Optional<SessionRequest> request() {
        return Optional.ofNullable(request);
    }

    /** Asks for every result in one task on the session, so an HTTP batch cannot go out between them. */
    @Override
    public CompletableFuture<List<Object>> whenAll(List<? extends RpcPromise> promises) {
        List<? extends RpcPromise> all = List.copyOf(promises);
        CompletableFuture<List<Object>> results = new CompletableFuture<>();
        run(() -> RpcSession.super.whenAll(all).whenComplete((values, error) -> {
            if (error != null) {
                results.completeExceptionally(error);
            } else {
                results.complete(values);
            }
        }));
        return results;
    }

    @Override
    public CompletionStage<Void> drain() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        run(() -> drainLater().whenSettled((v, e) -> deliveryExecutor().execute(() -> {
            if (e != null) {
                result.completeExceptionally(Errors.forApplication(e));
            } else {
                result.complete(null);
            }
        })));
        return result;
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed.copy();
    }

    // ------------------------------------------------------------------------------------------
    // Leak diagnostics (SessionOptions.trackStubLeaks)

    void trackStub(StubImpl stub) {
        if (stubOrigins != null) {
            stubOrigins.put(stub, new Throwable());
        }
    }

    void untrackStub(StubImpl stub) {
        if (stubOrigins != null) {
            stubOrigins.remove(stub);
        }
    }

    /**
     * The result of {@code promise} reached the application: the promise no longer holds
     * anything on the peer, and the stubs in the result are now the application's to close,
     * made (as far as the application can tell) where the promise was.
     */
    void resultDelivered(PromiseImpl promise, Object value) {
        if (stubOrigins == null) {
            return;
        }
        Throwable origin = stubOrigins.remove(promise);
        trackIn(value, origin != null ? origin : new Throwable(), 0);
    }

    private void trackIn(Object value, Throwable origin, int depth) {
        if (depth > 16) {
            return;
        }
        if (value instanceof StubImpl) {
            stubOrigins.put((StubImpl) value, origin);
        } else if (value instanceof List) {
            for (Object o : (List<?>) value) {
                trackIn(o, origin, depth + 1);
            }
        } else if (value instanceof Map) {
            for (Object o : ((Map<?, ?>) value).values()) {
                trackIn(o, origin, depth + 1);
            }
        }
    }

    @Override
    public List<String> unclosedStubs() {
        if (stubOrigins == null) {
            return List.of();
        }
        List<Map.Entry<StubImpl, Throwable>> entries;
        synchronized (stubOrigins) {
            entries = new ArrayList<>(stubOrigins.entrySet());
        }
        List<String> out = new ArrayList<>(entries.size());
        for (Map.Entry<StubImpl, Throwable> e : entries) {
            StringBuilder sb = new StringBuilder(e.getKey() instanceof PromiseImpl
                    ? "RpcPromise (never awaited or closed), created" : "RpcStub (never closed), created or received");
            boolean inApplication = false;
            for (StackTraceElement frame : e.getValue().getStackTrace()) {
                // Start at the first frame outside the engine: where the application asked for it.
                // (The engine's own tests share its package; their classes end in Test.)
                inApplication |= !frame.getClassName().startsWith("capnweb.protocol.")
                        || frame.getClassName().endsWith("Test");
                if (inApplication) {
                    sb.append("\n\tat ").append(frame);
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    private void reportLeaks() {
        List<String> leaks = unclosedStubs();
        if (!leaks.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> leaks.size() + " stub(s) of a Cap'n Web session were never "
                    + "closed; close them (try-with-resources) to release what the peer holds for them:\n"
                    + String.join("\n", leaks));
        }
    }

    @Override
    public boolean isOpen() {
        return abortReason == null;
    }

    @Override
    public void close() {
        run(() -> end(Errors.error("RPC session was closed."), false, true));
    }

    @Override
    public boolean close(Duration timeout) {
        close();
        try {
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return closed.isDone();
        }
    }

    @Override
    public void abort(Throwable reason) {
        java.util.Objects.requireNonNull(reason, "reason");
        run(() -> abort(reason, true));
    }
}
