package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Turns values into wire expressions (the reference's "devaluate"): escapes arrays, encodes the
 * special types, exports stubs and promises through the session, and encodes errors with their
 * stacks redacted unless the session's {@code onSendError} hook says otherwise.
 */
final class Devaluator {

    /** What the devaluator needs from a session to send references. */
    interface Exporter {
        long exportStub(StubHook hook);

        long exportPromise(StubHook hook);

        /** @return the import id if {@code hook} is an import of this session, else null */
        Long getImport(StubHook hook);

        /** Rolls back exports made by a devaluation that failed. */
        void unexport(List<Long> ids);

        Optional<Throwable> onSendError(Throwable error);

        /**
         * The id to refer to {@code stub} by without exporting it, if this exporter has its own
         * table (a map() recording does); null otherwise.
         */
        default Long captureOf(StubImpl stub) {
            return null;
        }

        /** Sends a {@code ["pipe"]} and pumps {@code readable} into it; returns the pipe's import id. */
        default long createPipe(java.util.concurrent.Flow.Publisher<?> readable) {
            throw Errors.error("Cannot create pipes without an RPC session.");
        }

        /** Exports a local writable stream; returns its export id. */
        default long exportWritable(java.util.concurrent.Flow.Subscriber<?> writable) {
            throw Errors.error("Can't serialize WritableStream in this context.");
        }
    }

    private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();

    private final Exporter exporter;
    private List<Long> exports;

    private Devaluator(Exporter exporter) {
        this.exporter = exporter;
    }

    /**
     * Devaluates {@code value}. With a null exporter, stubs cannot be sent ("this context" in the
     * reference's words: errors in a reject, or an abort).
     */
    static JsonElement devaluate(Object value, Exporter exporter) {
        Devaluator d = new Devaluator(exporter);
        try {
            return d.devaluate(value, 0);
        } catch (RuntimeException e) {
            if (d.exports != null && exporter != null) {
                try {
                    exporter.unexport(d.exports);
                } catch (RuntimeException ignored) {
                    // a consequence of the original failure
                }
            }
            throw e;
        }
    }

    /**
     * Writes {@code value} as {@link #devaluate} and then {@link Json#write} would, when it is
     * plain data: null, booleans, strings, whole numbers, finite doubles, and lists and
     * string-keyed maps of these. That is what most calls take and return, written with no JSON
     * tree. Anything else returns false with part of it written; the caller then cuts
     * {@code out} back and takes the general path, which also gives every error.
     *
     * @param depth the depth {@link #devaluate} would give {@code value}
     */
    static boolean writePlain(Object value, StringBuilder out, int depth) {
        if (depth >= Payload.MAX_DEPTH) {
            return false;
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            Json.quote((String) value, out);
        } else if (value instanceof Boolean) {
            out.append(((Boolean) value).booleanValue());
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            out.append(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return false;
            }
            Json.appendDouble(d, out);
        } else if (value instanceof List) {
            // A list is an escaped array: [[...]].
            out.append('[');
            if (!writePlainArray((List<?>) value, out, depth + 1)) {
                return false;
            }
            out.append(']');
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    return false;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                Json.quote((String) e.getKey(), out);
                out.append(':');
                if (!writePlain(e.getValue(), out, depth + 1)) {
                    return false;
                }
            }
            out.append('}');
        } else {
            return false;
        }
        return true;
    }

    /**
     * Writes {@code list} as a bare JSON array of plain elements, each at {@code depth}: the inner
     * array of an escaped one, as a call's arguments are sent. See {@link #writePlain}.
     */
    static boolean writePlainArray(List<?> list, StringBuilder out, int depth) {
        out.append('[');
        for (int i = 0, n = list.size(); i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            if (!writePlain(list.get(i), out, depth)) {
                return false;
            }
        }
        out.append(']');
        return true;
    }

    private JsonElement devaluate(Object value, int depth) {
        if (depth >= Payload.MAX_DEPTH) {
            throw Errors.error("Serialization exceeded maximum allowed depth. (Does the message contain cycles?)");
        }
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof String) {
            return new JsonPrimitive((String) value);
        }
        if (value instanceof Boolean) {
            return new JsonPrimitive((Boolean) value);
        }
        if (value instanceof BigInteger) {
            return special("bigint", new JsonPrimitive(value.toString()));
        }
        if (value instanceof Number) {
            return number((Number) value);
        }
        if (value instanceof Undefined) {
            return special("undefined");
        }
        if (value instanceof Instant) {
            long ms;
            try {
                ms = ((Instant) value).toEpochMilli();
            } catch (ArithmeticException e) {
                throw Errors.range("Cannot serialize value: " + value + " is outside the range of a JavaScript Date");
            }
            return special("date", new JsonPrimitive(ms));
        }
        if (value instanceof java.util.Date) {
            return special("date", new JsonPrimitive(((java.util.Date) value).getTime()));
        }
        if (value instanceof byte[]) {
            byte[] bytes = (byte[]) value;
            String type = ByteTypes.typeOf(bytes);
            JsonPrimitive b64 = new JsonPrimitive(BASE64.encodeToString(bytes));
            return type == null ? special("bytes", b64) : special("bytes", b64, new JsonPrimitive(type));
        }
        if (value instanceof InvalidDate) {
            return special("date", JsonNull.INSTANCE);
        }
        if (value instanceof java.nio.ByteBuffer) {
            java.nio.ByteBuffer b = ((java.nio.ByteBuffer) value).duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return special("bytes", new JsonPrimitive(BASE64.encodeToString(bytes)));
        }
        if (value instanceof java.net.URL) {
            return special("url", new JsonPrimitive(value.toString()));
        }
        if (value instanceof URI) {
            return special("url", new JsonPrimitive(value.toString()));
        }
        if (value instanceof Throwable) {
            return error((Throwable) value, depth);
        }
        if (value instanceof PromiseImpl || value instanceof StubImpl) {
            return reference((StubImpl) value);
        }
        if (Streams.isStreamValue(value)) {
            if (exports == null) {
                exports = new ArrayList<>();
            }
            return Streams.devaluate(value, exporter, exports, v -> devaluate(v, depth + 1));
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            JsonArray inner = new JsonArray(list.size());
            for (Object o : list) {
                inner.add(devaluate(o, depth + 1));
            }
            JsonArray outer = new JsonArray(1);
            outer.add(inner);
            return outer;
        }
        if (value instanceof Map) {
            JsonObject obj = new JsonObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw Errors.type("Cannot serialize value: a Map key must be a String");
                }
                obj.add((String) e.getKey(), devaluate(e.getValue(), depth + 1));
            }
            return obj;
        }
        // Raw application values can still appear inside error properties.
        if (value instanceof Collection || value.getClass().isArray() && !(value instanceof byte[])) {
            List<Object> list = new ArrayList<>();
            if (value instanceof Collection) {
                list.addAll((Collection<?>) value);
            } else {
                for (int i = 0, n = java.lang.reflect.Array.getLength(value); i < n; i++) {
                    list.add(java.lang.reflect.Array.get(value, i));
                }
            }
            return devaluate(list, depth);
        }
        if (value instanceof Record) {
            JsonObject obj = new JsonObject();
            for (RecordComponent rc : value.getClass().getRecordComponents()) {
                obj.add(rc.getName(), devaluate(Dispatcher.readRecordComponent((Record) value, rc), depth + 1));
            }
            return obj;
        }
        if (value instanceof Enum) {
            return new JsonPrimitive(((Enum<?>) value).name());
        }
        if (value instanceof RpcTarget || value instanceof RpcFunction || value instanceof CompletionStage) {
            if (exporter instanceof MapRecorder) {
                exporter.exportStub(null); // throws, saying how to do it instead
            }
            throw Errors.error("Can't serialize RPC stubs in this context.");
        }
        throw Errors.type("Cannot serialize value: " + Payload.describe(value));
    }

    static JsonElement number(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return new JsonPrimitive(n.longValue());
        }
        double d = n instanceof BigDecimal ? n.doubleValue() : n.doubleValue();
        if (Double.isNaN(d)) {
            return special("nan");
        }
        if (Double.isInfinite(d)) {
            return special(d > 0 ? "inf" : "-inf");
        }
        return new JsonPrimitive(d);
    }

    private JsonElement reference(StubImpl stub) {
        if (exporter == null) {
            throw Errors.error("Can't serialize RPC stubs in this context.");
        }
        boolean promise = stub instanceof PromiseImpl;
        List<Object> path = stub.pathOrEmpty();
        Long captured = exporter.captureOf(stub);
        if (captured != null) {
            if (!promise) {
                return special("import", new JsonPrimitive(captured));
            }
            return path.isEmpty() ? special("pipeline", new JsonPrimitive(captured))
                    : special("pipeline", new JsonPrimitive(captured), Evaluator.pathToJson(path));
        }
        StubHook hook = stub.hookOnThread();
        Long importId = exporter.getImport(hook);
        if (importId != null) {
            if (promise) {
                return path.isEmpty() ? special("pipeline", new JsonPrimitive(importId))
                        : special("pipeline", new JsonPrimitive(importId), Evaluator.pathToJson(path));
            }
            return special("import", new JsonPrimitive(importId));
        }
        StubHook exported = promise ? hook.get(path) : hook.dup();
        long id = promise ? exporter.exportPromise(exported) : exporter.exportStub(exported);
        if (exports == null) {
            exports = new ArrayList<>();
        }
        exports.add(id);
        return special(promise ? "promise" : "export", new JsonPrimitive(id));
    }

    private JsonElement error(Throwable original, int depth) {
        Throwable e = Errors.unwrap(original);
        if (e instanceof Errors.ThrownValue) {
            return devaluate(((Errors.ThrownValue) e).value(), depth);
        }
        Optional<Throwable> rewritten = exporter == null ? Optional.empty() : safeHook(e);
        if (rewritten.isPresent()) {
            e = rewritten.get();
        }
        String type = e instanceof RpcException ? ((RpcException) e).type() : "Error";
        String message = e.getMessage() != null ? e.getMessage()
                : e instanceof RpcException ? "" : e.getClass().getName();

        JsonObject props = null;
        Map<String, Object> extras = e instanceof RpcException ? ((RpcException) e).properties() : Map.of();
        for (Map.Entry<String, Object> p : extras.entrySet()) {
            String key = p.getKey();
            if (key.equals("name") || key.equals("message") || key.equals("stack")) {
                continue;
            }
            props = captureProperty(props, key, p.getValue(), depth);
        }
        if (!extras.containsKey("cause") && e.getCause() != null && e.getCause() != e) {
            props = captureProperty(props, "cause", e.getCause(), depth);
        }

        JsonArray result = new JsonArray();
        result.add("error");
        result.add(type);
        result.add(message);
        String stack = rewritten.isPresent() ? stackOf(rewritten.get()) : null;
        if (props != null) {
            result.add(stack == null ? JsonNull.INSTANCE : new JsonPrimitive(stack));
            result.add(props);
        } else if (stack != null) {
            result.add(stack);
        }
        return result;
    }

    /** Adds one error property, or drops it (rolling back its exports) if it cannot be sent. */
    private JsonObject captureProperty(JsonObject props, String key, Object value, int depth) {
        int before = exports == null ? 0 : exports.size();
        try {
            JsonElement encoded = devaluate(value, depth + 1);
            if (props == null) {
                props = new JsonObject();
            }
            props.add(key, encoded);
        } catch (RuntimeException dropped) {
            if (exports != null && exports.size() > before) {
                List<Long> tail = new ArrayList<>(exports.subList(before, exports.size()));
                exports.subList(before, exports.size()).clear();
                try {
                    exporter.unexport(tail);
                } catch (RuntimeException ignored) {
                    // a consequence of the original failure
                }
            }
        }
        return props;
    }

    private Optional<Throwable> safeHook(Throwable e) {
        try {
            Optional<Throwable> r = exporter.onSendError(e);
            return r == null ? Optional.empty() : r;
        } catch (RuntimeException hookFailed) {
            return Optional.empty();
        }
    }

    private static String stackOf(Throwable t) {
        if (t instanceof RpcException && ((RpcException) t).remoteStack().isPresent()) {
            return ((RpcException) t).remoteStack().get();
        }
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    static JsonArray special(String tag, JsonElement... rest) {
        JsonArray a = new JsonArray(1 + rest.length);
        a.add(tag);
        for (JsonElement e : rest) {
            a.add(e);
        }
        return a;
    }
}
