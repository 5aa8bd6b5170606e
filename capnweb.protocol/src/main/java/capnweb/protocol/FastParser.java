package capnweb.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the well-formed, shallow JSON that makes up nearly every message, working on the
 * message text directly: a string without escapes becomes one {@code substring}, where Gson's
 * reader copies it through its buffer and a growing builder (three to four copies, the bulk of
 * receiving a large string).
 *
 * <p>It accepts only strict RFC 8259 JSON, which Gson's strict mode reads to the same tree, and
 * returns null for anything else: malformed text, unescaped control characters, nesting deeper
 * than the limit or than {@link #MAX_DEPTH}, very long numbers. The caller then parses with Gson,
 * so errors and their messages stay exactly Gson's.
 */
final class FastParser {
    /** Nesting beyond this goes to the iterative Gson parser, so recursion here stays shallow. */
    static final int MAX_DEPTH = 64;
    /** Gson reads a number from its 1,024-character buffer; longer ones are its errors. */
    private static final int MAX_NUMBER_LENGTH = 256;

    /** Strings up to this length are looked up in {@link #SHORT_STRINGS} before being copied. */
    private static final int SHORT_STRING = 32;
    /**
     * Short strings read before (message tags, method and property names), shared by all
     * parsers: reading one again returns the same instance instead of a new copy. A slot is
     * simply overwritten on a collision; Strings are immutable, so sharing across threads is safe.
     */
    private static final String[] SHORT_STRINGS = new String[1024];

    private final String text;
    private final int length;
    private final int maxNesting;
    private int pos;

    private FastParser(String text, int maxNesting) {
        this.text = text;
        this.length = text.length();
        this.maxNesting = Math.min(maxNesting, MAX_DEPTH);
    }

    /** @return the tree, or null if this parser declines the text */
    static JsonElement parse(String text, int maxNesting) {
        FastParser p = new FastParser(text, maxNesting);
        JsonElement value = p.value(0);
        if (value == null) {
            return null;
        }
        p.skipWhitespace();
        return p.pos == p.length ? value : null;
    }

    // ------------------------------------------------------------------------------------------
    // Reading plain data straight into values, without a tree (see Evaluator.PlainCall)

    /** What {@link #plain} returns for a value it leaves to the tree. */
    static final Object NOT_PLAIN = new Object();
    /** What {@link #wholeNumber} returns for anything but a short JSON integer. */
    static final long NOT_WHOLE = Long.MIN_VALUE;
    /** Plain values nest at most this deep, so that reading them stays shallow recursion. */
    private static final int MAX_PLAIN_DEPTH = 32;

    /** A reader of {@code text} from {@code pos}, for the plain-value methods below. */
    static FastParser at(String text, int pos) {
        FastParser p = new FastParser(text, MAX_DEPTH);
        p.pos = pos;
        return p;
    }

    /** Skips whitespace, then {@code c} if it is next; @return whether it was. */
    boolean skip(char c) {
        skipWhitespace();
        if (pos < length && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** @return whether only whitespace is left */
    boolean atEnd() {
        skipWhitespace();
        return pos == length;
    }

    /** @return the string that comes next (after whitespace), or null if something else does */
    String stringValue() {
        skipWhitespace();
        return pos < length && text.charAt(pos) == '"' ? string() : null;
    }

    /**
     * @return the JSON integer that comes next (after whitespace): an optional minus sign and 1
     *     to 15 digits without a leading zero, so exact as a double; {@link #NOT_WHOLE} for
     *     anything else, which the caller's next delimiter check also catches ("1.5", "1e3")
     */
    long wholeNumber() {
        skipWhitespace();
        int i = pos;
        boolean negative = i < length && text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        int start = i;
        long value = 0;
        while (i < length && i - start < 16) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            i++;
        }
        int digits = i - start;
        if (digits < 1 || digits > 15 || (digits > 1 && text.charAt(start) == '0')) {
            return NOT_WHOLE;
        }
        pos = i;
        return negative ? -value : value;
    }

    /**
     * Reads the next value as {@link Evaluator} would evaluate it, when it is plain data: null,
     * booleans, numbers, strings, objects, and escaped arrays ({@code [[...]]}) of these. Anything
     * else (a special form such as {@code ["date", ...]} or a reference, text this parser
     * declines, a value at {@code maxDepth} where the evaluator would refuse it) is
     * {@link #NOT_PLAIN}, and the caller goes back to the tree. Reading has no side effects.
     *
     * @param depth the evaluation depth of the value, as {@link Evaluator} counts it
     */
    Object plain(int depth, int maxDepth) {
        if (depth >= Math.min(maxDepth, MAX_PLAIN_DEPTH)) {
            return NOT_PLAIN;
        }
        skipWhitespace();
        if (pos >= length) {
            return NOT_PLAIN;
        }
        switch (text.charAt(pos)) {
            case '"': {
                String s = string();
                return s == null ? NOT_PLAIN : s;
            }
            case '{':
                return plainObject(depth, maxDepth);
            case '[': {
                // Only an escaped array is plain: [[elements]].
                pos++;
                skipWhitespace();
                if (pos >= length || text.charAt(pos) != '[') {
                    return NOT_PLAIN;
                }
                List<Object> list = plainElements(depth, maxDepth);
                return list == null || !skip(']') ? NOT_PLAIN : list;
            }
            case 't':
                return keyword("true") ? Boolean.TRUE : NOT_PLAIN;
            case 'f':
                return keyword("false") ? Boolean.FALSE : NOT_PLAIN;
            case 'n':
                return keyword("null") ? null : NOT_PLAIN;
            default: {
                // Anything that is not a number is NaN here too.
                double d = numberValue();
                return Double.isNaN(d) ? NOT_PLAIN : Evaluator.number(d);
            }
        }
    }

    /**
     * Reads a JSON array (after whitespace) whose elements are plain values at {@code depth + 1},
     * as the elements of an escaped array at {@code depth}.
     *
     * @return the elements, or null if the array is not all plain
     */
    List<Object> plainElements(int depth, int maxDepth) {
        if (!skip('[')) {
            return null;
        }
        List<Object> out = new ArrayList<>(4);
        if (skip(']')) {
            return out;
        }
        while (true) {
            Object v = plain(depth + 1, maxDepth);
            if (v == NOT_PLAIN) {
                return null;
            }
            out.add(v);
            if (skip(']')) {
                return out;
            }
            if (!skip(',')) {
                return null;
            }
        }
    }

    private Object plainObject(int depth, int maxDepth) {
        pos++; // '{'
        Map<String, Object> out = new LinkedHashMap<>();
        if (skip('}')) {
            return out;
        }
        while (true) {
            String name = stringValue();
            if (name == null || !skip(':')) {
                return NOT_PLAIN;
            }
            Object v = plain(depth + 1, maxDepth);
            if (v == NOT_PLAIN) {
                return NOT_PLAIN;
            }
            // As the evaluator does: a key never shadows Object.prototype.
            if (!ValueHook.OBJECT_PROTOTYPE_NAMES.contains(name) && !name.equals("toJSON")) {
                out.put(name, v);
            }
            if (skip('}')) {
                return out;
            }
            if (!skip(',')) {
                return NOT_PLAIN;
            }
        }
    }

    /**
     * Reads a property path (after whitespace): an array of names and indexes, as
     * {@link Evaluator} reads one.
     *
     * @return the path, or null if it is anything else
     */
    List<Object> plainPath() {
        if (!skip('[')) {
            return null;
        }
        List<Object> path = new ArrayList<>(2);
        if (skip(']')) {
            return path;
        }
        while (true) {
            skipWhitespace();
            if (pos >= length) {
                return null;
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = string();
                if (s == null) {
                    return null;
                }
                path.add(s);
            } else {
                double d = numberValue();
                if (Double.isNaN(d)) {
                    return null;
                }
                path.add(Evaluator.number(d));
            }
            if (skip(']')) {
                return path;
            }
            if (!skip(',')) {
                return null;
            }
        }
    }

    private void skipWhitespace() {
        while (pos < length) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    /** @param depth how many containers enclose this value */
    private JsonElement value(int depth) {
        skipWhitespace();
        if (pos >= length) {
            return null;
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return depth >= maxNesting ? null : object(depth + 1);
            case '[':
                return depth >= maxNesting ? null : array(depth + 1);
            case '"': {
                String s = string();
                return s == null ? null : new JsonPrimitive(s);
            }
            case 't':
                return keyword("true") ? new JsonPrimitive(Boolean.TRUE) : null;
            case 'f':
                return keyword("false") ? new JsonPrimitive(Boolean.FALSE) : null;
            case 'n':
                return keyword("null") ? JsonNull.INSTANCE : null;
            default:
                return c == '-' || (c >= '0' && c <= '9') ? number() : null;
        }
    }

    private boolean keyword(String word) {
        if (!text.startsWith(word, pos)) {
            return false;
        }
        pos += word.length();
        return true;
    }

    private JsonElement object(int depth) {
        pos++; // '{'
        JsonObject object = new JsonObject();
        skipWhitespace();
        if (pos < length && text.charAt(pos) == '}') {
            pos++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (pos >= length || text.charAt(pos) != '"') {
                return null;
            }
            String name = string();
            if (name == null) {
                return null;
            }
            skipWhitespace();
            if (pos >= length || text.charAt(pos) != ':') {
                return null;
            }
            pos++;
            JsonElement v = value(depth);
            if (v == null) {
                return null;
            }
            object.add(name, v);
            skipWhitespace();
            if (pos >= length) {
                return null;
            }
            char c = text.charAt(pos++);
            if (c == '}') {
                return object;
            }
            if (c != ',') {
                return null;
            }
        }
    }

    private JsonElement array(int depth) {
        pos++; // '['
        // Most arrays in messages have one to four elements; the default capacity is ten.
        JsonArray array = new JsonArray(4);
        skipWhitespace();
        if (pos < length && text.charAt(pos) == ']') {
            pos++;
            return array;
        }
        while (true) {
            JsonElement v = value(depth);
            if (v == null) {
                return null;
            }
            array.add(v);
            skipWhitespace();
            if (pos >= length) {
                return null;
            }
            char c = text.charAt(pos++);
            if (c == ']') {
                return array;
            }
            if (c != ',') {
                return null;
            }
        }
    }

    /** Reads a string starting at its opening quote; null if it is malformed or unusual. */
    private String string() {
        int start = pos + 1;
        int i = start;
        while (i < length) {
            char c = text.charAt(i);
            if (c == '"') {
                pos = i + 1;
                return i - start <= SHORT_STRING ? shortString(start, i) : text.substring(start, i);
            }
            if (c == '\\') {
                return escapedString(start, i);
            }
            if (c < 0x20) {
                return null;
            }
            i++;
        }
        return null;
    }

    private String shortString(int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        int slot = (h ^ (h >>> 16)) & (SHORT_STRINGS.length - 1);
        String cached = SHORT_STRINGS[slot];
        int length = end - start;
        if (cached != null && cached.length() == length && text.regionMatches(start, cached, 0, length)) {
            return cached;
        }
        String s = text.substring(start, end);
        SHORT_STRINGS[slot] = s;
        return s;
    }

    private String escapedString(int start, int firstEscape) {
        StringBuilder sb = new StringBuilder(firstEscape - start + 16);
        sb.append(text, start, firstEscape);
        int i = firstEscape;
        int run = i;
        while (i < length) {
            char c = text.charAt(i);
            if (c == '"') {
                sb.append(text, run, i);
                pos = i + 1;
                return sb.toString();
            }
            if (c < 0x20) {
                return null;
            }
            if (c != '\\') {
                i++;
                continue;
            }
            sb.append(text, run, i);
            if (i + 1 >= length) {
                return null;
            }
            char e = text.charAt(i + 1);
            i += 2;
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    sb.append(e);
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'u': {
                    if (i + 4 > length) {
                        return null;
                    }
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(text.charAt(i + k), 16);
                        if (d < 0 || text.charAt(i + k) > 'f') {
                            return null;
                        }
                        v = (v << 4) | d;
                    }
                    sb.append((char) v);
                    i += 4;
                    break;
                }
                default:
                    return null;
            }
            run = i;
        }
        return null;
    }

    private JsonElement number() {
        double d = numberValue();
        return Double.isNaN(d) ? null : new JsonPrimitive(d);
    }

    /**
     * Reads a number, RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
     *
     * @return its value as JavaScript reads it, or NaN (which no JSON number is) if this parser
     *     declines it
     */
    private double numberValue() {
        int start = pos;
        int i = pos;
        if (text.charAt(i) == '-') {
            i++;
        }
        if (i >= length) {
            return Double.NaN;
        }
        char c = text.charAt(i);
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            i = digits(i);
        } else {
            return Double.NaN;
        }
        int integerEnd = i;
        if (i < length && text.charAt(i) == '.') {
            int after = digits(i + 1);
            if (after == i + 1) {
                return Double.NaN;
            }
            i = after;
        }
        if (i < length && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < length && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int after = digits(i);
            if (after == i) {
                return Double.NaN;
            }
            i = after;
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            return Double.NaN;
        }
        // A number must end at a delimiter; "01" or "1x" are Gson's to refuse.
        if (i < length) {
            char next = text.charAt(i);
            if (next != ',' && next != ']' && next != '}' && next != ' ' && next != '\n' && next != '\r'
                    && next != '\t') {
                return Double.NaN;
            }
        }
        pos = i;
        if (i == integerEnd && i - start <= 15) {
            // A plain integer of up to 15 characters (ids, counts): exact as a double, and read
            // without copying it out first.
            boolean negative = text.charAt(start) == '-';
            long v = 0;
            for (int k = negative ? start + 1 : start; k < i; k++) {
                v = v * 10 + (text.charAt(k) - '0');
            }
            // -0 stays negative zero, as in JavaScript.
            return negative ? -(double) v : (double) v;
        }
        return Json.parseNumber(text.substring(start, i));
    }

    private int digits(int i) {
        while (i < length) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            i++;
        }
        return i;
    }
}
