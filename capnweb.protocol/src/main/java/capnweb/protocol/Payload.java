package capnweb.protocol;

import capnweb.api.RpcFunction;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The arguments of a call or the resolution of a promise as it passes through the engine: a
 * value tree of plain Java values ({@code ArrayList}, {@code LinkedHashMap}, leaves) in which
 * references are {@link StubImpl}s and not-yet-known values are {@link PromiseImpl}s.
 *
 * <p>A payload owns the stubs and promises in it: disposing it releases them. Before a value is
 * handed to application code, {@link #deliver} replaces every promise in it with its resolution.
 * Values from the application are first copied into this form ({@link #fromApp}), so that later
 * changes by the application cannot reach a message already sent.
 */
final class Payload {
    /** Where a stub or promise sits in the value tree, so that it can be replaced there. */
    record Located(Object parent, Object key, StubImpl ref) {
    }

    /** Serialization depth limit of the reference, which also catches cycles. */
    static final int MAX_DEPTH = 256;

    /** How a payload built from application values treats the stubs in them. */
    enum Mode {
        /**
         * Arguments of an application's call: its stubs stay the application's ("borrowed"); they
         * are sent as they are, and duplicated only if the call is delivered locally.
         */
        PARAMS,
        /** A value a target returned: the payload takes over its stubs, as the reference does. */
        RETURN,
        /** A copy of a value that stays where it is: every stub is duplicated. */
        COPY
    }

    Object value;
    // Both made on first use (until then the shared empty list): most payloads are plain data.
    private List<StubImpl> stubs = List.of();
    private List<Located> promises = List.of();
    /** Stubs in the value that the application still owns (PARAMS only), with their places. */
    private List<Located> borrowed;

    private Payload(Object value) {
        this.value = value;
    }

    /** An empty payload the evaluator fills in. */
    static Payload forEvaluate() {
        return new Payload(null);
    }

    static Payload of(Object plainValue) {
        return new Payload(plainValue);
    }

    void addStub(StubImpl stub) {
        if (stubs.isEmpty()) {
            stubs = new ArrayList<>(4);
        }
        stubs.add(stub);
    }

    void addPromise(Object parent, Object key, StubImpl promise) {
        addPromise(new Located(parent, key, promise));
    }

    private void addPromise(Located promise) {
        if (promises.isEmpty()) {
            promises = new ArrayList<>(4);
        }
        promises.add(promise);
    }

    List<StubImpl> stubs() {
        return stubs;
    }

    // ------------------------------------------------------------------------------------------
    // Building from application values

    /**
     * Copies an application value into a payload of {@code session}. Raw targets and functions
     * become stubs of new local targets; completion stages become promises; stubs are lent, taken
     * over or duplicated as {@code mode} says ({@code argStubs}: the stubs a RETURN value may
     * contain that still belong to the call's arguments, and so are duplicated).
     *
     * @throws capnweb.api.RpcException TypeError for a value that cannot be sent, or a cycle
     */
    static Payload fromApp(Object value, Session session, Mode mode, Predicate<StubImpl> argStubs) {
        Payload payload = new Payload(null);
        Copier copier = new Copier(payload, session, mode, argStubs);
        try {
            payload.value = copier.copy(value, payload, "value", 0);
        } catch (RuntimeException e) {
            payload.dispose();
            throw e;
        }
        return payload;
    }

    /** A deep copy of (part of) an owned value, duplicating every stub in it. */
    static Payload deepCopyFrom(Object value, Session session) {
        return fromApp(value, session, Mode.COPY, s -> true);
    }

    /** A target's return value; stubs that were its own call arguments are duplicated. */
    static Payload fromReturn(Object value, Session session, Predicate<StubImpl> argStubs) {
        return fromApp(value, session, Mode.RETURN, argStubs);
    }

    /** An application's call arguments, as copied by {@link AppValues#snapshot}. */
    static Payload fromParams(Object value, Session session) {
        return fromApp(value, session, Mode.PARAMS, s -> false);
    }

    /**
     * Makes the payload own everything in it, duplicating the stubs the application lent: needed
     * before it is delivered locally or kept beyond the application's call.
     */
    void ensureOwned() {
        List<Located> lent = borrowed;
        if (lent == null) {
            return;
        }
        borrowed = null;
        for (Located l : lent) {
            StubImpl stub = l.ref();
            StubImpl dup;
            if (stub instanceof PromiseImpl) {
                PromiseImpl p = ((PromiseImpl) stub).dupPromiseFor(stub.session());
                addPromise(l.parent(), l.key(), p);
                dup = p;
            } else {
                dup = stub.dupStubFor(stub.session());
                addStub(dup);
            }
            put(l.parent(), l.key(), dup);
        }
    }

    /** Combines payloads into one whose value is the list of their values, taking their stubs. */
    static Payload fromArray(List<Payload> parts) {
        List<Object> list = new ArrayList<>(parts.size());
        Payload result = new Payload(list);
        for (Payload p : parts) {
            for (StubImpl stub : p.stubs) {
                result.addStub(stub);
            }
            for (Located l : p.promises) {
                result.addPromise(l.parent() == p ? new Located(list, list.size(), l.ref()) : l);
            }
            list.add(p.value);
            p.stubs = List.of();
            p.promises = List.of();
        }
        return result;
    }

    private static final class Copier {
        private final Payload payload;
        private final Session session;
        private final Mode mode;
        private final Predicate<StubImpl> argStubs;
        // Made on first use: most payloads (a number, a string, a small object) need neither,
        // and two empty identity maps per call were a good part of a call's garbage.
        private IdentityHashMap<Object, StubImpl> targets;

        Copier(Payload payload, Session session, Mode mode, Predicate<StubImpl> argStubs) {
            this.payload = payload;
            this.session = session;
            this.mode = mode;
            this.argStubs = argStubs;
        }

        /**
         * What to put in the payload for a stub found in the value: the stub itself (taken over
         * or lent), or a duplicate the payload owns; stubs of other sessions are wrapped.
         */
        private StubImpl adopt(StubImpl s, Object parent, Object key) {
            boolean promise = s instanceof PromiseImpl;
            if (s.session() != session) {
                // A stub of another session: the snapshot of call arguments already made a
                // duplicate for us; otherwise take it (RETURN) or duplicate it (COPY).
                StubImpl foreign = mode == Mode.COPY || (mode == Mode.RETURN && argStubs.test(s))
                        || (promise && !((PromiseImpl) s).isRoot()) ? s.dupAnywhere() : s;
                StubImpl wrapped = promise
                        ? PromiseImpl.local(session, new CrossSessionHook(foreign, session))
                        : StubImpl.local(session, new CrossSessionHook(foreign, session));
                own(wrapped, parent, key);
                return wrapped;
            }
            if (mode == Mode.PARAMS) {
                if (payload.borrowed == null) {
                    payload.borrowed = new ArrayList<>();
                }
                payload.borrowed.add(new Located(parent, key, s));
                return s;
            }
            boolean dup = mode == Mode.COPY || argStubs.test(s) || (promise && !((PromiseImpl) s).isRoot());
            StubImpl owned = !dup ? s : promise ? ((PromiseImpl) s).dupPromiseFor(session) : s.dupStubFor(session);
            own(owned, parent, key);
            return owned;
        }

        private void own(StubImpl s, Object parent, Object key) {
            if (s instanceof PromiseImpl) {
                payload.addPromise(parent, key, s);
            } else {
                payload.addStub(s);
            }
        }

        Object copy(Object v, Object parent, Object key, int depth) {
            if (depth >= MAX_DEPTH) {
                throw Errors.error("Serialization exceeded maximum allowed depth. (Does the message contain cycles?)");
            }
            if (v == null || v instanceof String || v instanceof Boolean || v instanceof Undefined
                    || v instanceof java.math.BigInteger || v instanceof java.time.Instant
                    || v instanceof InvalidDate || v instanceof URI || v instanceof Throwable) {
                return v;
            }
            if (v instanceof Number) {
                return v instanceof java.math.BigDecimal ? ((Number) v).doubleValue() : v;
            }
            if (v instanceof byte[]) {
                return v;
            }
            if (v instanceof ByteBuffer) {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return bytes;
            }
            if (v instanceof Date) {
                return ((Date) v).toInstant();
            }
            if (v instanceof URL) {
                try {
                    return ((URL) v).toURI();
                } catch (URISyntaxException e) {
                    throw Errors.type("Cannot serialize value: " + v + " is not a valid URI");
                }
            }
            if (v instanceof Enum) {
                return ((Enum<?>) v).name();
            }
            if (v instanceof Character) {
                return v.toString();
            }
            if (v instanceof Optional) {
                Optional<?> o = (Optional<?>) v;
                return o.isPresent() ? copy(o.get(), parent, key, depth) : Undefined.INSTANCE;
            }
            if (v instanceof StubImpl) {
                return adopt((StubImpl) v, parent, key);
            }
            if (v instanceof RpcTarget || v instanceof RpcFunction) {
                StubImpl s = targets == null ? null : targets.get(v);
                if (s == null) {
                    s = StubImpl.local(session, TargetHook.create(v, session));
                    // A target at the root (a session's main object) is the whole value, so it
                    // cannot turn up again: no map, and no identity hash for it.
                    if (depth > 0) {
                        if (targets == null) {
                            // Small: a payload rarely holds more than a few targets, and the
                            // default size allocates a 64-slot table.
                            targets = new IdentityHashMap<>(4);
                        }
                        targets.put(v, s);
                    }
                } else {
                    s = s.dupStubFor(session);
                }
                payload.addStub(s);
                return s;
            }
            if (v instanceof CompletionStage) {
                PromiseImpl p = PromiseImpl.adopting(session, (CompletionStage<?>) v);
                payload.addPromise(parent, key, p);
                return p;
            }
            if (Streams.isStreamValue(v)) {
                return v;
            }
            // A cycle is refused by the depth limit above, with the same message: cheaper than
            // tracking the containers on the path, which every call's argument list would pay.
            if (v instanceof Map) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!(e.getKey() instanceof String)) {
                        throw Errors.type("Cannot serialize value: a Map key must be a String, got "
                                + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                    }
                    String k = (String) e.getKey();
                    out.put(k, copy(e.getValue(), out, k, depth + 1));
                }
                return out;
            }
            if (v instanceof Collection) {
                Collection<?> c = (Collection<?>) v;
                List<Object> out = new ArrayList<>(c.size());
                for (Object o : c) {
                    out.add(copy(o, out, out.size(), depth + 1));
                }
                return out;
            }
            if (v.getClass().isArray()) {
                int n = Array.getLength(v);
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(copy(Array.get(v, i), out, i, depth + 1));
                }
                return out;
            }
            if (v instanceof Record) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (RecordComponent rc : v.getClass().getRecordComponents()) {
                    Object component = Dispatcher.readRecordComponent((Record) v, rc);
                    out.put(rc.getName(), copy(component, out, rc.getName(), depth + 1));
                }
                return out;
            }
            throw Errors.type("Cannot serialize value: " + describe(v));
        }
    }

    static String describe(Object v) {
        String text;
        try {
            text = String.valueOf(v);
        } catch (RuntimeException e) {
            text = "(couldn't stringify value)";
        }
        return text + " (" + v.getClass().getName() + ")";
    }

    // ------------------------------------------------------------------------------------------
    // Delivery

    /**
     * Replaces every promise in the value with its resolution. The returned promise is already
     * fulfilled when nothing had to be waited for, so that callers can deliver at once (E-order).
     */
    Later<Void> deliver() {
        List<Later<?>> waits = new ArrayList<>();
        deliverTo(this, "value", waits);
        return waits.isEmpty() ? Later.resolved(null) : Later.all(waits);
    }

    private void deliverTo(Object parent, Object key, List<Later<?>> waits) {
        if (value instanceof PromiseImpl) {
            deliverPromiseTo((PromiseImpl) value, parent, key, waits);
            return;
        }
        put(parent, key, value);
        for (Located l : promises) {
            deliverPromiseTo((PromiseImpl) l.ref(), l.parent(), l.key(), waits);
        }
    }

    private static void deliverPromiseTo(PromiseImpl promise, Object parent, Object key, List<Later<?>> waits) {
        Later<Payload> inner = promise.hookOnThread().pull();
        if (inner.isFulfilled()) {
            inner.value().deliverTo(parent, key, waits);
        } else {
            waits.add(inner.then(p -> {
                List<Later<?>> sub = new ArrayList<>();
                p.deliverTo(parent, key, sub);
                return sub.isEmpty() ? null : Later.all(sub);
            }));
        }
    }

    @SuppressWarnings("unchecked")
    private static void put(Object parent, Object key, Object v) {
        if (parent instanceof Payload) {
            ((Payload) parent).value = v;
        } else if (parent instanceof List) {
            ((List<Object>) parent).set(((Number) key).intValue(), v);
        } else {
            ((Map<String, Object>) parent).put((String) key, v);
        }
    }

    /** Releases every stub and promise in the value. Idempotent. */
    void dispose() {
        List<StubImpl> s = stubs;
        List<Located> p = promises;
        stubs = List.of();
        promises = List.of();
        // Indexed: no iterator for the empty lists most payloads have.
        for (int i = 0; i < s.size(); i++) {
            s.get(i).disposeOnThread();
        }
        for (int i = 0; i < p.size(); i++) {
            p.get(i).ref().disposeOnThread();
        }
    }

    /** @return whether this payload holds no reference at all (pure data) */
    boolean isPureData() {
        return stubs.isEmpty() && promises.isEmpty();
    }
}
