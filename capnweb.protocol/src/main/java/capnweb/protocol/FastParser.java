package capnweb.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

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

    /** RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
    private JsonElement number() {
        int start = pos;
        int i = pos;
        if (text.charAt(i) == '-') {
            i++;
        }
        if (i >= length) {
            return null;
        }
        char c = text.charAt(i);
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            i = digits(i);
        } else {
            return null;
        }
        int integerEnd = i;
        if (i < length && text.charAt(i) == '.') {
            int after = digits(i + 1);
            if (after == i + 1) {
                return null;
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
                return null;
            }
            i = after;
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            return null;
        }
        // A number must end at a delimiter; "01" or "1x" are Gson's to refuse.
        if (i < length) {
            char next = text.charAt(i);
            if (next != ',' && next != ']' && next != '}' && next != ' ' && next != '\n' && next != '\r'
                    && next != '\t') {
                return null;
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
            return new JsonPrimitive(negative ? -(double) v : (double) v);
        }
        return new JsonPrimitive(Json.parseNumber(text.substring(start, i)));
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
