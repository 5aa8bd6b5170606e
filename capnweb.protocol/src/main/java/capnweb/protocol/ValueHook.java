package capnweb.protocol;

import capnweb.api.CallInterceptor;
import capnweb.api.RpcFunction;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import com.google.gson.JsonArray;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The common part of hooks backed by something local (a payload value or a target object):
 * following a property path into it, calling what the path names, reading properties, and
 * applying map() recordings, with the reference's rules for what a path may reach.
 */
abstract class ValueHook extends StubHook {
    /**
     * Names of {@code Object.prototype} members; the reference never lets a path reach them, on
     * any value, and ignores object keys that would shadow them.
     */
    static final Set<String> OBJECT_PROTOTYPE_NAMES = Set.of("constructor", "__defineGetter__",
            "__defineSetter__", "hasOwnProperty", "__lookupGetter__", "__lookupSetter__",
            "isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf", "__proto__",
            "toLocaleString");

    final Session session;

    ValueHook(Session session) {
        this.session = session;
    }

    /** The root value: a payload's value, or the target object. */
    abstract Object root();

    /** Whether the root value is owned by a payload (so stubs in it must be duplicated on copy). */
    abstract boolean ownedByPayload();

    /** Where a path led: a local value, or into another hook with the rest of the path. */
    static final class Followed {
        Object value;
        Object parent;
        StubHook hook;
        List<Object> remaining;
    }

    /**
     * Follows {@code path} from {@code value}. With {@code forCall}, the last step on a target
     * selects a method (by name) rather than reading a property.
     */
    Followed follow(Object value, List<Object> path, boolean forCall) {
        Object parent = null;
        for (int i = 0; i < path.size(); i++) {
            parent = value;
            Object part = path.get(i);
            boolean last = i == path.size() - 1;
            if (part instanceof String && OBJECT_PROTOTYPE_NAMES.contains(part)) {
                value = Undefined.INSTANCE;
                continue;
            }
            if (value instanceof StubImpl) {
                StubImpl stub = (StubImpl) value;
                Followed f = new Followed();
                f.hook = stub.hookOnThread();
                f.remaining = concat(stub.pathOrEmpty(), path.subList(i, path.size()));
                return f;
            }
            if (value instanceof Map) {
                Map<?, ?> map = (Map<?, ?>) value;
                String key = keyOf(part);
                value = map.containsKey(key) ? map.get(key) : Undefined.INSTANCE;
            } else if (value instanceof List) {
                List<?> list = (List<?>) value;
                int index = indexOf(part);
                value = index >= 0 && index < list.size() ? list.get(index) : Undefined.INSTANCE;
            } else if (value instanceof RpcTarget) {
                if (!(part instanceof String)) {
                    value = Undefined.INSTANCE;
                } else if (forCall && last && Dispatcher.hasMethod(value, (String) part)) {
                    value = new BoundMethod(value, (String) part);
                } else {
                    value = readProperty(value, (String) part);
                }
            } else if (value instanceof Record) {
                value = recordComponent((Record) value, part);
            } else if (value instanceof Undefined) {
                throw Errors.type("Cannot read properties of undefined (reading '" + part + "')");
            } else {
                // null, primitives, functions, bytes, dates, errors: nothing reachable.
                value = Undefined.INSTANCE;
            }
        }
        if (value instanceof PromiseImpl) {
            PromiseImpl p = (PromiseImpl) value;
            Followed f = new Followed();
            f.hook = p.hookOnThread();
            f.remaining = p.pathOrEmpty();
            return f;
        }
        Followed f = new Followed();
        f.value = value;
        f.parent = parent;
        return f;
    }

    /** Reads a target's property; a getter runs as application code, through the session's interceptors. */
    private Object readProperty(Object target, String name) {
        SessionExecutor application = SessionExecutor.enterApplicationCode();
        try {
            List<CallInterceptor> interceptors = session.options.interceptors();
            String getter = interceptors.isEmpty() ? null : Dispatcher.getterName(target, name);
            return getter == null
                    ? Dispatcher.property(target, name)
                    : InterceptedCall.read(interceptors, session, target, getter, () -> Dispatcher.property(target, name));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.util.concurrent.CompletionException(t);
        } finally {
            SessionExecutor.leaveApplicationCode(application);
        }
    }

    private static Object recordComponent(Record r, Object part) {
        for (RecordComponent rc : r.getClass().getRecordComponents()) {
            if (rc.getName().equals(part)) {
                return Dispatcher.readRecordComponent(r, rc);
            }
        }
        return Undefined.INSTANCE;
    }

    static String keyOf(Object part) {
        if (part instanceof String) {
            return (String) part;
        }
        return Json.number((Number) part);
    }

    static int indexOf(Object part) {
        if (part instanceof Number) {
            double d = ((Number) part).doubleValue();
            if (d >= 0 && d == Math.rint(d) && d < Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        return -1;
    }

    static List<Object> concat(List<Object> a, List<Object> b) {
        if (a.isEmpty()) {
            return List.copyOf(b);
        }
        java.util.ArrayList<Object> out = new java.util.ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    static String pathText(List<Object> path) {
        return path.stream().map(p -> p instanceof String ? (String) p : Json.number((Number) p))
                .collect(Collectors.joining("."));
    }

    // ------------------------------------------------------------------------------------------

    @Override
    StubHook call(List<Object> path, Payload args) {
        Followed f;
        try {
            f = follow(root(), path, true);
        } catch (RuntimeException e) {
            args.dispose();
            return new ErrorHook(e);
        }
        if (f.hook != null) {
            return f.hook.call(f.remaining, args);
        }
        if (f.value instanceof StubImpl) {
            // A stub is callable: the call goes to what it refers to.
            StubImpl stub = (StubImpl) f.value;
            return stub.hookOnThread().call(stub.pathOrEmpty(), args);
        }
        if (!(f.value instanceof RpcFunction)) {
            args.dispose();
            return new ErrorHook(Errors.type("'" + pathText(path) + "' is not a function."));
        }
        return new PromiseHook(deliverCall(session, args, f.value));
    }

    /**
     * Delivers a call to a local function once every promise in its arguments has resolved;
     * synchronously when there is none, so that calls start in arrival order. The arguments are
     * released once the result has settled.
     */
    static Later<StubHook> deliverCall(Session session, Payload args, Object function) {
        args.ensureOwned();
        try {
            session.limits.callStarted();
        } catch (RuntimeException e) {
            args.dispose();
            throw e;
        }
        Later<Void> ready = args.deliver();
        Later<StubHook> result;
        if (ready.isFulfilled()) {
            result = invoke(session, args, function);
        } else {
            result = ready.then(x -> invoke(session, args, function));
        }
        result.whenSettled((hook, err) -> {
            args.dispose();
            session.limits.callSettled();
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Later<StubHook> invoke(Session session, Payload args, Object function) {
        List<Object> argList = args.value instanceof List ? (List<Object>) args.value : List.of();
        Object result;
        SessionExecutor application = SessionExecutor.enterApplicationCode();
        try {
            List<CallInterceptor> interceptors = session.options.interceptors();
            result = interceptors.isEmpty()
                    ? run(function, argList)
                    : InterceptedCall.call(interceptors, session, function, argList, () -> run(function, argList));
        } catch (Throwable t) {
            return Later.rejected(Errors.unwrap(t));
        } finally {
            SessionExecutor.leaveApplicationCode(application);
        }
        // Every stub in the delivered arguments belongs to them (directly, or through a promise
        // they held) and is released with them: a result that contains one gets its own copy.
        java.util.Set<StubImpl> argStubs = collectStubs(args.value, null, 0);
        java.util.function.Predicate<StubImpl> fromArgs = argStubs == null ? s -> false : argStubs::contains;
        if (result instanceof java.util.concurrent.CompletionStage && !(result instanceof PromiseImpl)) {
            return session.laterOf((java.util.concurrent.CompletionStage<?>) result)
                    .then(v -> new PayloadHook(Payload.fromReturn(v, session, fromArgs), session));
        }
        try {
            return Later.resolved(new PayloadHook(Payload.fromReturn(result, session, fromArgs), session));
        } catch (RuntimeException e) {
            return Later.rejected(e);
        }
    }

    private static Object run(Object function, List<Object> argList) throws Throwable {
        if (function instanceof BoundMethod) {
            BoundMethod m = (BoundMethod) function;
            return Dispatcher.invoke(m.target(), m.name(), argList);
        }
        return ((RpcFunction) function).apply(argList.toArray());
    }

    /**
     * Adds the stubs in {@code value} to {@code into}.
     *
     * @param into the set so far, or null for none yet: most calls carry no stubs, and then none is made
     * @return the set, or null if there is still none
     */
    private static java.util.Set<StubImpl> collectStubs(Object value, java.util.Set<StubImpl> into, int depth) {
        if (depth > Payload.MAX_DEPTH) {
            return into;
        }
        if (value instanceof StubImpl) {
            if (into == null) {
                into = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            }
            into.add((StubImpl) value);
        } else if (value instanceof List) {
            for (Object o : (List<?>) value) {
                into = collectStubs(o, into, depth + 1);
            }
        } else if (value instanceof Map) {
            for (Object o : ((Map<?, ?>) value).values()) {
                into = collectStubs(o, into, depth + 1);
            }
        }
        return into;
    }

    @Override
    StubHook get(List<Object> path) {
        try {
            if (path.isEmpty() && !ownedByPayload()) {
                throw Errors.error("Can't dup an RpcTarget stub as a promise.");
            }
            Followed f = follow(root(), path, false);
            if (f.hook != null) {
                return f.hook.get(f.remaining);
            }
            // A payload's own values are duplicated; values read from a target belong to the
            // target, so their stubs are duplicated too.
            return new PayloadHook(Payload.deepCopyFrom(f.value, session), session);
        } catch (RuntimeException e) {
            return new ErrorHook(e);
        }
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        Followed f;
        try {
            f = follow(root(), path, false);
        } catch (RuntimeException e) {
            captures.forEach(StubHook::dispose);
            return new ErrorHook(e);
        }
        if (f.hook != null) {
            return f.hook.map(f.remaining, captures, instructions);
        }
        try {
            return MapApplicator.applyMap(session, f.value, captures, instructions);
        } catch (RuntimeException e) {
            return new ErrorHook(e);
        }
    }
}
