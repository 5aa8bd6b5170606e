package capnweb.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * JSON text to and from Gson's tree model, the way the reference's {@code JSON.parse} and
 * {@code JSON.stringify} do it: every number is an IEEE double, numbers are written in
 * JavaScript's shortest form ({@code 9}, not {@code 9.0}), and strings are escaped exactly like
 * {@code JSON.stringify}.
 */
final class Json {
    private static final double TWO_POW_53 = 9007199254740992.0;

    private Json() {
    }

    /**
     * Parses one message. Parsing is iterative and refuses nesting deeper than
     * {@code maxNesting}, so hostile input cannot overflow the stack.
     *
     * @throws capnweb.api.RpcException a SyntaxError for malformed JSON, a TypeError for too deep nesting
     */
    static JsonElement parse(String text, int maxNesting, int maxDepthForMessage) {
        JsonElement fast = FastParser.parse(text, maxNesting);
        if (fast != null) {
            return fast;
        }
        return parseWithGson(text, maxNesting, maxDepthForMessage);
    }

    /**
     * The general parser: Gson's, whose error messages are part of what a peer sees. Everything
     * {@link FastParser} declines (malformed or unusual input, deep nesting) comes here.
     */
    static JsonElement parseWithGson(String text, int maxNesting, int maxDepthForMessage) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            // Our own limit below applies; Gson's default one would refuse legitimate messages.
            reader.setNestingLimit(Integer.MAX_VALUE);
            ArrayDeque<JsonElement> stack = new ArrayDeque<>();
            ArrayDeque<String> names = new ArrayDeque<>();
            JsonElement root = null;
            String pendingName = null;
            while (true) {
                JsonToken token = reader.peek();
                JsonElement value;
                switch (token) {
                    case BEGIN_ARRAY:
                        reader.beginArray();
                        value = new JsonArray();
                        break;
                    case BEGIN_OBJECT:
                        reader.beginObject();
                        value = new JsonObject();
                        break;
                    case END_ARRAY:
                        reader.endArray();
                        value = null;
                        break;
                    case END_OBJECT:
                        reader.endObject();
                        value = null;
                        break;
                    case NAME:
                        pendingName = reader.nextName();
                        continue;
                    case STRING:
                        value = new JsonPrimitive(reader.nextString());
                        break;
                    case NUMBER:
                        value = new JsonPrimitive(parseNumber(reader.nextString()));
                        break;
                    case BOOLEAN:
                        value = new JsonPrimitive(reader.nextBoolean());
                        break;
                    case NULL:
                        reader.nextNull();
                        value = JsonNull.INSTANCE;
                        break;
                    case END_DOCUMENT:
                        if (root == null) {
                            throw Errors.syntax("Unexpected end of JSON input");
                        }
                        return root;
                    default:
                        throw Errors.syntax("Unexpected token in JSON: " + token);
                }
                if (value == null) {
                    // The container on top is complete.
                    JsonElement done = stack.pop();
                    String name = names.pop();
                    attach(stack, done, name);
                    if (stack.isEmpty()) {
                        root = done;
                        expectEnd(reader);
                        return root;
                    }
                    continue;
                }
                if (value.isJsonArray() || value.isJsonObject()) {
                    if (stack.size() >= maxNesting) {
                        throw Errors.type("Deserialization exceeded maximum allowed message depth of "
                                + maxDepthForMessage + ".");
                    }
                    stack.push(value);
                    names.push(pendingName == null ? "" : pendingName);
                    pendingName = null;
                    continue;
                }
                if (stack.isEmpty()) {
                    expectEnd(reader);
                    return value;
                }
                attachValue(stack.peek(), pendingName, value);
                pendingName = null;
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw Errors.syntax("Malformed JSON message: " + syntaxDetail(e.getMessage()));
        }
    }

    /**
     * Gson's account of a syntax error, as a peer should read it: without Gson's advice to its own
     * user (to parse leniently, and a link to its troubleshooting page), cut to 200 characters.
     */
    static String syntaxDetail(String gsonMessage) {
        String detail = String.valueOf(gsonMessage)
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON ", "not valid JSON ")
                .replaceAll("\\s*See https://\\S+\\s*$", "");
        return detail.length() > 200 ? detail.substring(0, 200) + "..." : detail;
    }

    private static void attach(ArrayDeque<JsonElement> stack, JsonElement done, String name) {
        if (!stack.isEmpty()) {
            attachValue(stack.peek(), name, done);
        }
    }

    private static void attachValue(JsonElement parent, String name, JsonElement value) {
        if (parent.isJsonArray()) {
            parent.getAsJsonArray().add(value);
        } else {
            parent.getAsJsonObject().add(name, value);
        }
    }

    private static void expectEnd(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw Errors.syntax("Unexpected non-whitespace character after JSON");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Writing

    static String write(JsonElement element) {
        StringBuilder out = new StringBuilder(64);
        write(element, out);
        return out.toString();
    }

    static void write(JsonElement element, StringBuilder out) {
        if (element == null || element.isJsonNull()) {
            out.append("null");
        } else if (element.isJsonPrimitive()) {
            JsonPrimitive p = element.getAsJsonPrimitive();
            if (p.isString()) {
                quote(p.getAsString(), out);
            } else if (p.isBoolean()) {
                out.append(p.getAsBoolean());
            } else {
                appendNumber(p.getAsNumber(), out);
            }
        } else if (element.isJsonArray()) {
            out.append('[');
            JsonArray array = element.getAsJsonArray();
            for (int i = 0, n = array.size(); i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(array.get(i), out);
            }
            out.append(']');
        } else {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonElement> e : element.getAsJsonObject().entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        }
    }

    /** Appends what {@link #number(Number)} returns, without making a String for whole numbers. */
    private static void appendNumber(Number n, StringBuilder out) {
        if (n instanceof Double) {
            appendDouble(n.doubleValue(), out);
            return;
        } else if (n instanceof Long || n instanceof Integer) {
            out.append(n.longValue());
            return;
        }
        out.append(number(n));
    }

    /** Appends a finite double as {@link #number(double)} formats it, whole numbers without a String. */
    static void appendDouble(double d, StringBuilder out) {
        if (d == Math.rint(d) && Math.abs(d) < TWO_POW_53) {
            // -0 is written 0, as JavaScript writes it.
            out.append((long) d);
        } else {
            out.append(number(d));
        }
    }

    /** Formats a number as JavaScript's {@code Number.prototype.toString()} would. */
    static String number(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return Long.toString(n.longValue());
        }
        return number(n.doubleValue());
    }

    /** A number in an error message, as JavaScript's String(n) writes it. */
    static String numberText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return number(d);
    }

    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            // JSON.stringify writes these as null; the devaluator never lets them through.
            return "null";
        }
        if (d == 0) {
            return "0";
        }
        if (d == Math.rint(d) && Math.abs(d) < TWO_POW_53) {
            return Long.toString((long) d);
        }
        BigDecimal bd = shortest(d);
        String digits = bd.unscaledValue().abs().toString();
        int k = digits.length();
        int exp = k - bd.scale(); // value = 0.digits * 10^exp
        StringBuilder sb = new StringBuilder(24);
        if (d < 0) {
            sb.append('-');
        }
        if (k <= exp && exp <= 21) {
            sb.append(digits);
            for (int i = k; i < exp; i++) {
                sb.append('0');
            }
        } else if (0 < exp && exp <= 21) {
            sb.append(digits, 0, exp).append('.').append(digits, exp, k);
        } else if (-6 < exp && exp <= 0) {
            sb.append("0.");
            for (int i = exp; i < 0; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else {
            int e = exp - 1;
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return sb.toString();
    }

    /**
     * The shortest decimal that reads back as {@code d}, as JavaScript prints it. Java 17's
     * {@code Double.toString} sometimes gives one or two digits too many (fixed in Java 19), so
     * long results are checked for a shorter one.
     */
    private static BigDecimal shortest(double d) {
        BigDecimal candidate = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (candidate.precision() <= 15 && Math.abs(d) >= Double.MIN_NORMAL) {
            return candidate;
        }
        BigDecimal exact = new BigDecimal(d);
        for (int digits = 1; digits < candidate.precision(); digits++) {
            BigDecimal rounded = exact.round(new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == d) {
                return rounded.stripTrailingZeros();
            }
        }
        return candidate;
    }

    /** Quotes a string as {@code JSON.stringify} does (including lone surrogates as escapes). */
    static void quote(String s, StringBuilder out) {
        int n = s.length();
        if (n >= LARGE_STRING) {
            // Room for the string and what usually follows it, so a large string is not copied
            // again and again as the builder doubles.
            out.ensureCapacity(out.length() + n + (n >> 4) + 64);
        }
        out.append('"');
        // Most strings need no escaping: copy them in one piece.
        int plain = 0;
        while (plain < n && !needsEscape(s.charAt(plain))) {
            plain++;
        }
        if (plain == n) {
            out.append(s).append('"');
            return;
        }
        out.append(s, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20) {
                        hex(c, out);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            hex(c, out);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        hex(c, out);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** Strings at least this long make {@link #quote} reserve their room up front. */
    private static final int LARGE_STRING = 4096;

    /** @return whether {@code c} is escaped, or may be (a surrogate, escaped when unpaired) */
    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '"' || c == '\\' || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    private static void hex(char c, StringBuilder out) {
        out.append("\\u");
        String h = Integer.toHexString(c);
        for (int i = h.length(); i < 4; i++) {
            out.append('0');
        }
        out.append(h);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        quote(s, sb);
        return sb.toString();
    }

    /**
     * A JSON number as JavaScript reads it (an IEEE double). Whole numbers of up to 15 digits,
     * by far the most common on the wire (ids, counts), are exact as doubles and are read
     * without the general decimal parser, which was a tenth of a small call's CPU time.
     */
    static double parseNumber(String text) {
        int n = text.length();
        int start = n > 0 && text.charAt(0) == '-' ? 1 : 0;
        int digits = n - start;
        if (digits < 1 || digits > 15) {
            return Double.parseDouble(text);
        }
        long v = 0;
        for (int i = start; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return Double.parseDouble(text);
            }
            v = v * 10 + (c - '0');
        }
        // -0 stays negative zero, as in JavaScript.
        return start == 1 ? -(double) v : (double) v;
    }
}
