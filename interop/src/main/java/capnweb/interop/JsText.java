package capnweb.interop;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** JavaScript's string conversion of the primitive values {@link TestTarget#add} accepts. */
final class JsText {
    private JsText() {
    }

    static String of(Object value) {
        if (value instanceof Double || value instanceof Float) {
            return number(((Number) value).doubleValue());
        }
        return String.valueOf(value);
    }

    /** {@code s} as a JSON string literal, as {@code JSON.stringify} writes it. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }

    /** JavaScript's {@code Number.prototype.toString()}: the shortest digits that read back as {@code d}. */
    static String number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return "0";
        }
        // |d| = 0.DIGITS x 10^point, with the fewest digits that read back as d.
        BigDecimal exact = new BigDecimal(Math.abs(d));
        String digits = null;
        int point = 0;
        for (int precision = 1; digits == null; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == Math.abs(d)) {
                rounded = rounded.stripTrailingZeros();
                digits = rounded.unscaledValue().toString();
                point = digits.length() - rounded.scale();
            }
        }
        int k = digits.length();
        StringBuilder text = new StringBuilder(d < 0 ? "-" : "");
        if (k <= point && point <= 21) {
            text.append(digits).append("0".repeat(point - k));
        } else if (0 < point && point <= 21) {
            text.append(digits, 0, point).append('.').append(digits, point, k);
        } else if (-6 < point && point <= 0) {
            text.append("0.").append("0".repeat(-point)).append(digits);
        } else {
            text.append(digits.charAt(0)).append(k > 1 ? "." + digits.substring(1) : "")
                    .append('e').append(point > 0 ? '+' : '-').append(Math.abs(point - 1));
        }
        return text.toString();
    }
}
