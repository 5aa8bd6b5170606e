package capnweb.interop;

import java.math.BigDecimal;

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

    static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }

    // Integral values print without a fraction, as JavaScript does below 1e21.
    private static String number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return new BigDecimal(d).toPlainString();
        }
        return Double.toString(d);
    }
}
