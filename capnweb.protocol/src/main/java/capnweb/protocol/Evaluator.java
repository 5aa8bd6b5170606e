package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.Undefined;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns wire expressions into values (the reference's "evaluate"): unescapes arrays, decodes the
 * special types, and turns references into stubs and promises through the importer, enforcing
 * the receive limits on depth and bigint length.
 */
final class Evaluator {

    /** What the evaluator needs to resolve references: a session, or a map() applicator. */
    interface Importer {
        StubHook importStub(long id);

        StubHook importPromise(long id);

        /** @return the export's hook, or null if there is no such export */
        StubHook getExport(long id);

        Session session();

        int maxDepth();

        int maxBigIntDigits();

        /** The readable end of the pipe the peer created as import {@code id}; once per pipe. */
        default Pipe pipeReadable(long id) {
            throw Errors.type("A ReadableStream cannot be received here.");
        }
    }

    private static final double TWO_POW_53 = 9007199254740992.0;
    private static final Set<String> ERROR_TYPES = Set.of("Error", "EvalError", "RangeError",
            "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError");

    private final Importer importer;
    private final Payload payload;

    private Evaluator(Importer importer, Payload payload) {
        this.importer = importer;
        this.payload = payload;
    }

    static Payload evaluate(JsonElement expression, Importer importer) {
        return evaluateWithDepth(expression, importer, 0);
    }

    private static Payload evaluateWithDepth(JsonElement expression, Importer importer, int depth) {
        Payload payload = Payload.forEvaluate();
        Evaluator e = new Evaluator(importer, payload);
        try {
            payload.value = e.eval(expression, payload, "value", depth);
            return payload;
        } catch (RuntimeException ex) {
            payload.dispose();
            throw ex;
        }
    }

    /** A received number as the application sees it: Long when whole and within 2^53, else Double. */
    static Object number(double d) {
        if (d == Math.rint(d) && Math.abs(d) <= TWO_POW_53 && !(d == 0 && 1 / d < 0)) {
            return (long) d;
        }
        return d;
    }

    private Object eval(JsonElement value, Object parent, Object key, int depth) {
        int maxDepth = importer.maxDepth();
        if (depth >= maxDepth) {
            throw Errors.type("Deserialization exceeded maximum allowed message depth of " + maxDepth + ".");
        }
        if (value.isJsonArray()) {
            return evalArray(value.getAsJsonArray(), parent, key, depth);
        }
        if (value.isJsonObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
                String k = e.getKey();
                if (ValueHook.OBJECT_PROTOTYPE_NAMES.contains(k) || k.equals("toJSON")) {
                    // Never let a key shadow Object.prototype; still evaluate it so that stubs in
                    // it are released. A promise found there is resolved back under the key, as
                    // the reference assigns it, except under __proto__: that assignment sets the
                    // prototype and adds no key, so its resolution goes to an object nobody sees.
                    Map<String, Object> into = k.equals("__proto__") ? new LinkedHashMap<>() : out;
                    eval(e.getValue(), into, k, depth + 1);
                    continue;
                }
                out.put(k, eval(e.getValue(), out, k, depth + 1));
            }
            return out;
        }
        if (value.isJsonNull()) {
            return null;
        }
        JsonPrimitive p = value.getAsJsonPrimitive();
        if (p.isString()) {
            return p.getAsString();
        }
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        return number(p.getAsDouble());
    }

    private Object evalArray(JsonArray a, Object parent, Object key, int depth) {
        if (a.size() == 1 && a.get(0).isJsonArray()) {
            JsonArray inner = a.get(0).getAsJsonArray();
            List<Object> out = new ArrayList<>(inner.size());
            for (int i = 0; i < inner.size(); i++) {
                out.add(null);
                out.set(i, eval(inner.get(i), out, i, depth + 1));
            }
            return out;
        }
        String tag = a.size() > 0 && isString(a.get(0)) ? a.get(0).getAsString() : null;
        if (tag != null) {
            switch (tag) {
                case "bigint":
                    if (a.size() > 1 && isString(a.get(1))) {
                        return bigint(a.get(1).getAsString());
                    }
                    break;
                case "date":
                    if (a.size() > 1 && a.get(1).isJsonNull()) {
                        return InvalidDate.INSTANCE;
                    }
                    if (a.size() > 1 && isNumber(a.get(1))) {
                        return date(a.get(1).getAsDouble());
                    }
                    break;
                case "bytes": {
                    if (a.size() < 2 || !isString(a.get(1))) {
                        break;
                    }
                    byte[] bytes = base64(a.get(1).getAsString());
                    if (a.size() == 2) {
                        return bytes;
                    }
                    JsonElement marker = a.get(2);
                    if (!isString(marker)) {
                        throw Errors.type("Unknown bytes type marker type: " + jsTypeOf(marker));
                    }
                    String type = marker.getAsString();
                    if (!ByteTypes.TYPES.contains(type)) {
                        throw Errors.type("Unknown bytes type marker: " + (type.length() > 64 ? type.substring(0, 64) : type));
                    }
                    int size = ByteTypes.elementSize(type);
                    if (bytes.length % size != 0) {
                        throw Errors.type("Invalid byte length " + bytes.length + " for " + type
                                + "; expected a multiple of " + size);
                    }
                    ByteTypes.remember(bytes, type);
                    return bytes;
                }
                case "error":
                    if (a.size() >= 3 && isString(a.get(1)) && isString(a.get(2))) {
                        RpcException err = error(a, depth);
                        if (err != null) {
                            return err;
                        }
                    }
                    break;
                case "undefined":
                    if (a.size() == 1) {
                        return Undefined.INSTANCE;
                    }
                    break;
                case "inf":
                    return Double.POSITIVE_INFINITY;
                case "-inf":
                    return Double.NEGATIVE_INFINITY;
                case "nan":
                    return Double.NaN;
                case "url":
                    if (a.size() == 2 && isString(a.get(1))) {
                        return Urls.parse(a.get(1).getAsString());
                    }
                    break;
                case "import":
                case "pipeline":
                    if (a.size() >= 2 && a.size() <= 4 && isNumber(a.get(1))) {
                        Object r = reference(a, tag.equals("pipeline"), parent, key, depth);
                        if (r != null) {
                            return r;
                        }
                    }
                    break;
                case "remap":
                    if (a.size() == 5 && isNumber(a.get(1)) && a.get(2).isJsonArray() && a.get(3).isJsonArray()
                            && a.get(4).isJsonArray()) {
                        Object r = remap(a, parent, key);
                        if (r != null) {
                            return r;
                        }
                    }
                    break;
                case "export":
                case "promise":
                    if (a.size() > 1 && isNumber(a.get(1))) {
                        long id = (long) a.get(1).getAsDouble();
                        Session session = importer.session();
                        if (tag.equals("promise")) {
                            PromiseImpl promise = PromiseImpl.local(session, importer.importPromise(id));
                            payload.addPromise(parent, key, promise);
                            return promise;
                        }
                        StubImpl stub = StubImpl.local(session, importer.importStub(id));
                        payload.addStub(stub);
                        return stub;
                    }
                    break;
                case "readable":
                    if (a.size() == 2 && isNumber(a.get(1))) {
                        Pipe pipe = importer.pipeReadable((long) a.get(1).getAsDouble());
                        // Cancels the stream if the payload is released before anyone reads it.
                        payload.addStub(StubImpl.local(importer.session(), new ReadableHook(pipe)));
                        return pipe;
                    }
                    break;
                case "writable":
                    if (a.size() == 2 && isNumber(a.get(1))) {
                        StubHook hook = importer.importStub((long) a.get(1).getAsDouble());
                        // The payload owns the import: releasing it before close() aborts the stream.
                        payload.addStub(StubImpl.local(importer.session(), hook));
                        return new RemoteWritable(importer.session(), hook);
                    }
                    break;
                case "headers":
                    if (a.size() == 2 && a.get(1).isJsonArray()) {
                        return Streams.headers(a.get(1), "Request");
                    }
                    break;
                case "blob":
                    if (a.size() == 3 && isString(a.get(1))) {
                        return blob(a.get(1).getAsString(), a.get(2), parent, key, depth);
                    }
                    break;
                case "request":
                    if (a.size() == 3 && isString(a.get(1)) && a.get(2).isJsonObject()) {
                        return Streams.request(a.get(1).getAsString(), a.get(2).getAsJsonObject(),
                                body -> eval(body, parent, key, depth + 1));
                    }
                    break;
                case "response":
                    if (a.size() == 3 && a.get(2).isJsonObject()) {
                        Object body = eval(a.get(1), parent, key, depth + 1);
                        return Streams.response(body, a.get(2).getAsJsonObject());
                    }
                    break;
                default:
                    break;
            }
        }
        throw Errors.type("unknown special value: " + Json.write(a));
    }

    /** A blob's bytes arrive as a stream: the value is a promise for the blob, settled once all came. */
    private Object blob(String type, JsonElement content, Object parent, Object key, int depth) {
        Object stream = eval(content, parent, key, depth + 1);
        if (!(stream instanceof Pipe)) {
            throw Errors.type("Blob content must be serialized as a ReadableStream.");
        }
        Session session = importer.session();
        Later<StubHook> collected = session.laterOf(capnweb.api.RpcStreams.readAllBytes((Pipe) stream))
                .then(bytes -> new PayloadHook(Payload.of(capnweb.api.RpcBlob.of(type, bytes)), session));
        PromiseImpl promise = PromiseImpl.local(session, new PromiseHook(collected));
        payload.addPromise(parent, key, promise);
        return promise;
    }

    private Object reference(JsonArray a, boolean isPromise, Object parent, Object key, int depth) {
        long id = (long) a.get(1).getAsDouble();
        StubHook hook = importer.getExport(id);
        if (hook == null) {
            throw noSuchExport(a.get(1).getAsDouble());
        }
        List<Object> path = null;
        Payload args = null;
        if (a.size() > 2) {
            path = path(a.get(2));
            if (path == null) {
                return null;
            }
            if (a.size() == 4) {
                if (!a.get(3).isJsonArray()) {
                    return null;
                }
                JsonArray escaped = new JsonArray(1);
                escaped.add(a.get(3));
                args = evaluateWithDepth(escaped, importer, depth);
            }
        }
        return held(follow(hook, isPromise, path, args), isPromise, parent, key);
    }

    private static RpcException noSuchExport(double id) {
        return Errors.error("no such entry on exports table: " + Json.number(id));
    }

    /** What an "import" or "pipeline" of {@code hook} refers to: itself, a property, or a call's result. */
    private static StubHook follow(StubHook hook, boolean isPromise, List<Object> path, Payload args) {
        if (path == null) {
            return isPromise ? hook.get(List.of()) : hook.dup();
        }
        return args == null ? hook.get(path) : hook.call(path, args);
    }

    /** A "pipeline" is a promise of the result; an "import" is delivered as it is, without waiting: a stub. */
    private Object held(StubHook result, boolean isPromise, Object parent, Object key) {
        if (isPromise) {
            PromiseImpl promise = PromiseImpl.local(importer.session(), result);
            payload.addPromise(parent, key, promise);
            return promise;
        }
        StubImpl stub = StubImpl.local(importer.session(), result);
        payload.addStub(stub);
        return stub;
    }

    /**
     * A reference whose every part is plain data, read straight from a message's text without a
     * tree: {@code ["pipeline"|"import", id, path?, args?]} with a path of names and indexes and
     * arguments of plain values (what nearly every call sends). Evaluating it does what evaluating
     * the same expression's tree does.
     *
     * @param path null when the expression has none
     * @param args the arguments' values, or null when the expression has none (not a call)
     */
    record PlainReference(boolean isPromise, long id, List<Object> path, List<Object> args) {

        /**
         * Reads the expression that comes next; null if it is anything else, which then takes
         * the tree path. Reading has no side effects.
         */
        static PlainReference read(FastParser p, int maxDepth) {
            // The expression is at depth 0 and its arguments, an escaped array, too.
            if (maxDepth < 1 || !p.skip('[')) {
                return null;
            }
            String tag = p.stringValue();
            boolean isPromise = "pipeline".equals(tag);
            if (!isPromise && !"import".equals(tag) || !p.skip(',')) {
                return null;
            }
            long id = p.wholeNumber();
            if (id == FastParser.NOT_WHOLE) {
                return null;
            }
            List<Object> path = null;
            List<Object> args = null;
            if (p.skip(',')) {
                path = p.plainPath();
                if (path == null) {
                    return null;
                }
                if (p.skip(',')) {
                    args = p.plainElements(0, maxDepth);
                    if (args == null) {
                        return null;
                    }
                }
            }
            return p.skip(']') ? new PlainReference(isPromise, id, path, args) : null;
        }

        Payload evaluate(Importer importer) {
            Payload payload = Payload.forEvaluate();
            Evaluator e = new Evaluator(importer, payload);
            StubHook hook = importer.getExport(id);
            if (hook == null) {
                throw noSuchExport(id);
            }
            Payload argsPayload = args == null ? null : Payload.of(args);
            payload.value = e.held(follow(hook, isPromise, path, argsPayload), isPromise, payload, "value");
            return payload;
        }
    }

    private Object remap(JsonArray a, Object parent, Object key) {
        long id = (long) a.get(1).getAsDouble();
        StubHook hook = importer.getExport(id);
        if (hook == null) {
            throw Errors.error("no such entry on exports table: " + Json.number(a.get(1).getAsDouble()));
        }
        List<Object> path = path(a.get(2));
        if (path == null) {
            return null;
        }
        List<StubHook> captures = new ArrayList<>();
        try {
            for (JsonElement cap : a.get(3).getAsJsonArray()) {
                if (!cap.isJsonArray() || cap.getAsJsonArray().size() != 2 || !isString(cap.getAsJsonArray().get(0))
                        || !isNumber(cap.getAsJsonArray().get(1))) {
                    throw Errors.type("unknown map capture: " + Json.write(cap));
                }
                String kind = cap.getAsJsonArray().get(0).getAsString();
                long capId = (long) cap.getAsJsonArray().get(1).getAsDouble();
                if (kind.equals("export")) {
                    captures.add(importer.importStub(capId));
                } else if (kind.equals("import")) {
                    StubHook exp = importer.getExport(capId);
                    if (exp == null) {
                        throw Errors.error("no such entry on exports table: " + capId);
                    }
                    captures.add(exp.dup());
                } else {
                    throw Errors.type("unknown map capture: " + Json.write(cap));
                }
            }
        } catch (RuntimeException e) {
            captures.forEach(StubHook::dispose);
            throw e;
        }
        StubHook result = hook.map(path, captures, a.get(4).getAsJsonArray());
        PromiseImpl promise = PromiseImpl.local(importer.session(), result);
        payload.addPromise(parent, key, promise);
        return promise;
    }

    private RpcException error(JsonArray a, int depth) {
        String wireType = a.get(1).getAsString();
        String type = ERROR_TYPES.contains(wireType) ? wireType : "Error";
        String message = a.get(2).getAsString();
        Optional<String> stack = a.size() > 3 && isString(a.get(3)) ? Optional.of(a.get(3).getAsString())
                : Optional.empty();
        Map<String, Object> props = new LinkedHashMap<>();
        if (a.size() >= 5) {
            JsonElement bag = a.get(4);
            if (!bag.isJsonObject()) {
                return null; // malformed: reported as an unknown special value
            }
            for (Map.Entry<String, JsonElement> e : bag.getAsJsonObject().entrySet()) {
                String k = e.getKey();
                if (k.equals("name") || k.equals("message") || k.equals("stack")) {
                    continue;
                }
                Object v = eval(e.getValue(), props, k, depth + 1);
                if (ValueHook.OBJECT_PROTOTYPE_NAMES.contains(k) || k.equals("toJSON")) {
                    continue;
                }
                props.put(k, v);
            }
        }
        Object cause = props.get("cause");
        return RpcException.received(type, message, props, stack,
                cause instanceof Throwable ? Optional.of((Throwable) cause) : Optional.empty());
    }

    private Object bigint(String digits) {
        int max = importer.maxBigIntDigits();
        if (digits.length() > max) {
            throw Errors.type("Deserialized bigint exceeds maximum length of " + max + " digits.");
        }
        String s = digits.strip();
        try {
            if (s.isEmpty()) {
                return BigInteger.ZERO;
            }
            if (s.length() > 2 && s.charAt(0) == '0') {
                char radix = Character.toLowerCase(s.charAt(1));
                if (radix == 'x') {
                    return new BigInteger(s.substring(2), 16);
                } else if (radix == 'o') {
                    return new BigInteger(s.substring(2), 8);
                } else if (radix == 'b') {
                    return new BigInteger(s.substring(2), 2);
                }
            }
            if (s.startsWith("+") && s.length() > 1 && s.charAt(1) != '-') {
                s = s.substring(1);
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c >= '0' && c <= '9') && !(i == 0 && c == '-' && s.length() > 1)) {
                    throw new NumberFormatException();
                }
            }
            return new BigInteger(s);
        } catch (NumberFormatException e) {
            throw Errors.syntax("Cannot convert " + digits + " to a BigInt");
        }
    }

    private static Object date(double ms) {
        // TimeClip: beyond 8.64e15 ms a JavaScript Date is invalid; fractions are truncated.
        if (Double.isNaN(ms) || Math.abs(ms) > 8.64e15) {
            return InvalidDate.INSTANCE;
        }
        return Instant.ofEpochMilli((long) ms);
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException strictFailed) {
            // Node's decoder is lenient: URL-safe letters, missing padding, stray characters.
            StringBuilder clean = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '-') {
                    clean.append('+');
                } else if (c == '_') {
                    clean.append('/');
                } else if (c == '=') {
                    break;
                } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                        || c == '/') {
                    clean.append(c);
                }
            }
            if (clean.length() % 4 == 1) {
                clean.setLength(clean.length() - 1);
            }
            return Base64.getDecoder().decode(clean.toString());
        }
    }

    private static List<Object> path(JsonElement element) {
        if (!element.isJsonArray()) {
            return null;
        }
        List<Object> path = new ArrayList<>(element.getAsJsonArray().size());
        for (JsonElement part : element.getAsJsonArray()) {
            if (isString(part)) {
                path.add(part.getAsString());
            } else if (isNumber(part)) {
                path.add(number(part.getAsDouble()));
            } else {
                return null;
            }
        }
        return path;
    }

    static JsonArray pathToJson(List<Object> path) {
        JsonArray a = new JsonArray(path.size());
        for (Object p : path) {
            if (p instanceof String) {
                a.add((String) p);
            } else {
                a.add(Devaluator.number((Number) p));
            }
        }
        return a;
    }

    /** Writes what {@link #pathToJson} makes, straight to text. */
    static void writePath(List<Object> path, StringBuilder out) {
        out.append('[');
        for (int i = 0, n = path.size(); i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            Object p = path.get(i);
            if (p instanceof String) {
                Json.quote((String) p, out);
            } else {
                Json.write(Devaluator.number((Number) p), out);
            }
        }
        out.append(']');
    }

    static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    private static String jsTypeOf(JsonElement e) {
        if (e.isJsonNull() || e.isJsonArray() || e.isJsonObject()) {
            return "object";
        }
        return e.getAsJsonPrimitive().isNumber() ? "number" : "boolean";
    }
}
