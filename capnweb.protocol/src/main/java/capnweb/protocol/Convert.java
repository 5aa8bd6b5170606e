package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.Undefined;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Converts received values (as the wire delivers them: Long/Double, List, Map, ...) to the types
 * a target method declares, with an error naming the argument and the problem when they don't
 * fit. JavaScript numbers are doubles, so a whole double converts to an integer type and any
 * number converts to a floating-point one; nothing is silently truncated.
 */
final class Convert {
    private Convert() {
    }

    static Object to(Object v, Class<?> raw, Type generic, Supplier<String> where) {
        if (raw == Object.class) {
            return v;
        }
        if (raw == Undefined.class) {
            if (v == Undefined.INSTANCE) {
                return v;
            }
            throw mismatch(v, "undefined", where);
        }
        if (raw == Optional.class) {
            if (v == null || v == Undefined.INSTANCE) {
                return Optional.empty();
            }
            Type arg = typeArgument(generic, 0);
            return Optional.of(to(v, rawOf(arg), arg, where));
        }
        if (v == InvalidDate.INSTANCE && (raw == Instant.class || raw == Date.class)) {
            return null;
        }
        if (v == null || v == Undefined.INSTANCE) {
            if (raw.isPrimitive()) {
                throw Errors.type("Missing or null " + where.get() + ": expected a " + raw.getName()
                        + ", got " + (v == null ? "null" : "undefined") + ".");
            }
            return null;
        }
        if (raw.isPrimitive()) {
            raw = boxed(raw);
        }
        if (raw == Long.class || raw == Integer.class || raw == Short.class || raw == Byte.class) {
            long l = integral(v, where);
            if (raw == Long.class) {
                return l;
            }
            long min = raw == Integer.class ? Integer.MIN_VALUE : raw == Short.class ? Short.MIN_VALUE : Byte.MIN_VALUE;
            long max = raw == Integer.class ? Integer.MAX_VALUE : raw == Short.class ? Short.MAX_VALUE : Byte.MAX_VALUE;
            if (l < min || l > max) {
                throw Errors.range("The " + where.get() + " is out of range: " + l + " does not fit in "
                        + raw.getSimpleName() + ".");
            }
            return raw == Integer.class ? (Object) (int) l : raw == Short.class ? (Object) (short) l : (Object) (byte) l;
        }
        if (raw == Double.class || raw == Float.class) {
            if (!(v instanceof Number)) {
                throw mismatch(v, "a number", where);
            }
            double d = ((Number) v).doubleValue();
            return raw == Double.class ? (Object) d : (Object) (float) d;
        }
        if (raw == BigInteger.class) {
            if (v instanceof BigInteger) {
                return v;
            }
            return BigInteger.valueOf(integral(v, where));
        }
        if (raw == BigDecimal.class) {
            if (v instanceof BigInteger) {
                return new BigDecimal((BigInteger) v);
            }
            if (v instanceof Number) {
                return new BigDecimal(((Number) v).toString());
            }
            throw mismatch(v, "a number", where);
        }
        if (raw == Number.class) {
            if (v instanceof Number) {
                return v;
            }
            throw mismatch(v, "a number", where);
        }
        if (raw == Boolean.class) {
            if (v instanceof Boolean) {
                return v;
            }
            throw mismatch(v, "a boolean", where);
        }
        if (raw == Character.class) {
            if (v instanceof String && ((String) v).length() == 1) {
                return ((String) v).charAt(0);
            }
            throw mismatch(v, "a one-character string", where);
        }
        if (raw == String.class || raw == CharSequence.class) {
            if (v instanceof String) {
                return v;
            }
            throw mismatch(v, "a string", where);
        }
        if (raw.isEnum()) {
            if (v instanceof String) {
                for (Object c : raw.getEnumConstants()) {
                    if (((Enum<?>) c).name().equals(v)) {
                        return c;
                    }
                }
            }
            throw mismatch(v, "one of " + List.of(raw.getEnumConstants()), where);
        }
        if (raw == byte[].class) {
            if (v instanceof byte[]) {
                return v;
            }
            throw mismatch(v, "bytes", where);
        }
        if (raw == ByteBuffer.class) {
            byte[] b = (byte[]) to(v, byte[].class, byte[].class, where);
            return ByteBuffer.wrap(b).asReadOnlyBuffer();
        }
        if (raw == Instant.class || raw == Date.class) {
            if (v instanceof Instant) {
                return raw == Instant.class ? v : Date.from((Instant) v);
            }
            throw mismatch(v, "a date", where);
        }
        if (raw == URI.class || raw == URL.class) {
            if (v instanceof URI) {
                if (raw == URI.class) {
                    return v;
                }
                try {
                    return ((URI) v).toURL();
                } catch (MalformedURLException | IllegalArgumentException e) {
                    throw mismatch(v, "a URL", where);
                }
            }
            throw mismatch(v, "a URL", where);
        }
        if (raw == RpcFunction.class && v instanceof StubImpl) {
            StubImpl stub = (StubImpl) v;
            return (RpcFunction) stub::invoke;
        }
        if (raw == RpcStub.class || raw == RpcPromise.class || raw == RpcFunction.class) {
            if (raw.isInstance(v)) {
                return v;
            }
            throw mismatch(v, raw == RpcFunction.class ? "a function" : "a stub", where);
        }
        if (raw == RpcException.class || raw == Throwable.class || raw == Exception.class
                || raw == RuntimeException.class) {
            if (raw.isInstance(v)) {
                return v;
            }
            throw mismatch(v, "an error", where);
        }
        if (raw.isArray()) {
            if (!(v instanceof List)) {
                throw mismatch(v, "an array", where);
            }
            List<?> list = (List<?>) v;
            Class<?> component = raw.getComponentType();
            Object array = Array.newInstance(component, list.size());
            for (int i = 0; i < list.size(); i++) {
                Array.set(array, i, to(list.get(i), component, component, where));
            }
            return array;
        }
        if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
            if (!(v instanceof List)) {
                throw mismatch(v, "an array", where);
            }
            Type element = typeArgument(generic, 0);
            Collection<Object> out = Set.class.isAssignableFrom(raw) ? new LinkedHashSet<>() : new ArrayList<>();
            if (!raw.isInstance(out)) {
                throw Errors.type("Cannot convert the " + where.get() + " to " + raw.getName()
                        + ": declare List, Collection, Set or an array instead.");
            }
            for (Object o : (List<?>) v) {
                out.add(to(o, rawOf(element), element, where));
            }
            return out;
        }
        if (Map.class.isAssignableFrom(raw)) {
            if (!(v instanceof Map)) {
                throw mismatch(v, "an object", where);
            }
            Type valueType = typeArgument(generic, 1);
            Map<String, Object> out = new LinkedHashMap<>();
            if (!raw.isInstance(out)) {
                throw Errors.type("Cannot convert the " + where.get() + " to " + raw.getName()
                        + ": declare Map instead.");
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.put((String) e.getKey(), to(e.getValue(), rawOf(valueType), valueType, where));
            }
            return out;
        }
        if (raw.isRecord()) {
            if (!(v instanceof Map)) {
                throw mismatch(v, "an object", where);
            }
            return toRecord((Map<?, ?>) v, raw, where);
        }
        if (raw == java.io.InputStream.class && v instanceof java.util.concurrent.Flow.Publisher) {
            return capnweb.api.RpcStreams.toInputStream((java.util.concurrent.Flow.Publisher<?>) v);
        }
        if (raw == java.io.OutputStream.class && v instanceof capnweb.api.RpcWritableStream) {
            return ((capnweb.api.RpcWritableStream) v).asOutputStream();
        }
        // A stream handed over without crossing a connection (a call on a local stub) is the
        // application's own publisher or subscriber: given the view a peer's stream would get.
        if (raw == capnweb.api.RpcReadableStream.class && v instanceof java.util.concurrent.Flow.Publisher
                && !(v instanceof capnweb.api.RpcReadableStream)) {
            @SuppressWarnings("unchecked")
            java.util.concurrent.Flow.Publisher<Object> publisher = (java.util.concurrent.Flow.Publisher<Object>) v;
            return (capnweb.api.RpcReadableStream) publisher::subscribe;
        }
        if ((raw == capnweb.api.RpcWritableStream.class || raw == java.io.OutputStream.class)
                && v instanceof java.util.concurrent.Flow.Subscriber && !(v instanceof capnweb.api.RpcWritableStream)) {
            @SuppressWarnings("unchecked")
            LocalWritable writable = new LocalWritable((java.util.concurrent.Flow.Subscriber<? super Object>) v);
            return raw == java.io.OutputStream.class ? writable.asOutputStream() : writable;
        }
        if (raw.isInstance(v)) {
            return v;
        }
        if (v instanceof StubImpl && TypedStub.isApplicationInterface(raw)) {
            return TypedStub.of((StubImpl) v, raw);
        }
        throw mismatch(v, raw.getSimpleName(), where);
    }

    private static Object toRecord(Map<?, ?> map, Class<?> type, Supplier<String> where) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent rc = components[i];
            types[i] = rc.getType();
            Object raw = map.containsKey(rc.getName()) ? map.get(rc.getName()) : Undefined.INSTANCE;
            values[i] = to(raw, rc.getType(), rc.getGenericType(),
                    () -> "field '" + rc.getName() + "' of the " + where.get());
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            if (!ctor.canAccess(null) && !ctor.trySetAccessible()) {
                throw Errors.type(TypedStub.accessHint(type, "build the record"));
            }
            return ctor.newInstance(values);
        } catch (ReflectiveOperationException e) {
            Throwable cause = Errors.unwrap(e);
            throw Errors.type("Cannot build " + type.getSimpleName() + " from the " + where.get() + ": "
                    + cause.getMessage());
        }
    }

    private static long integral(Object v, Supplier<String> where) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger) {
            BigInteger b = (BigInteger) v;
            if (b.bitLength() < 64) {
                return b.longValue();
            }
            throw Errors.range("The " + where.get() + " is out of range: " + b + " does not fit in a long.");
        }
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) <= 9.223372036854775E18) {
                return (long) d;
            }
            throw Errors.type("The " + where.get() + " must be a whole number, got " + Json.number(d) + ".");
        }
        throw mismatch(v, "a number", where);
    }

    private static RpcException mismatch(Object v, String expected, Supplier<String> where) {
        String type = v == null ? "" : v.getClass().getSimpleName();
        String got = v == null ? "null" : v instanceof Undefined ? "undefined"
                : type.isEmpty() ? abbreviate(v) : type + " " + abbreviate(v);
        return Errors.type("Cannot convert the " + where.get() + ": expected " + expected + ", got " + got + ".");
    }

    private static String abbreviate(Object v) {
        String s;
        try {
            s = v instanceof byte[] ? "(" + ((byte[]) v).length + " bytes)" : String.valueOf(v);
        } catch (RuntimeException e) {
            s = "?";
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static Class<?> boxed(Class<?> primitive) {
        if (primitive == long.class) {
            return Long.class;
        } else if (primitive == int.class) {
            return Integer.class;
        } else if (primitive == double.class) {
            return Double.class;
        } else if (primitive == boolean.class) {
            return Boolean.class;
        } else if (primitive == float.class) {
            return Float.class;
        } else if (primitive == short.class) {
            return Short.class;
        } else if (primitive == byte.class) {
            return Byte.class;
        } else if (primitive == char.class) {
            return Character.class;
        }
        throw new IllegalArgumentException("void is not a parameter type");
    }

    static Type typeArgument(Type generic, int index) {
        if (generic instanceof ParameterizedType) {
            Type[] args = ((ParameterizedType) generic).getActualTypeArguments();
            if (index < args.length) {
                return args[index];
            }
        }
        return Object.class;
    }

    static Class<?> rawOf(Type t) {
        if (t instanceof Class) {
            return (Class<?>) t;
        }
        if (t instanceof ParameterizedType) {
            return rawOf(((ParameterizedType) t).getRawType());
        }
        if (t instanceof WildcardType) {
            Type[] upper = ((WildcardType) t).getUpperBounds();
            return upper.length > 0 ? rawOf(upper[0]) : Object.class;
        }
        return Object.class;
    }
}
