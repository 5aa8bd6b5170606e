package capnweb.interop;

import capnweb.api.RpcException;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The main object of every interop session, behaving as the reference implementation's test
 * {@code TestTarget} (see INTEROP.md). Numbers follow JavaScript: they are doubles.
 */
public final class TestTarget implements RpcTarget {

    /**
     * @param i a number
     * @return {@code i * i}
     */
    public double square(double i) {
        return i * i;
    }

    /**
     * Calls {@code square} on a stub of the caller's choosing, without waiting for it.
     *
     * @param self this server's own main object, or an object of the client's
     * @param i the number to square
     * @return {@code {result: self.square(i)}}, the result still a promise
     */
    public Map<String, Object> callSquare(RpcStub self, double i) {
        return Collections.singletonMap("result", self.call("square", i));
    }

    /**
     * Calls a function of the client's and waits for it.
     *
     * @param func the function
     * @param i its argument
     * @return {@code {result: await func(i)}}; rejects with the function's error if it fails
     */
    public CompletionStage<Map<String, Object>> callFunction(RpcStub func, double i) {
        return func.invoke(i).thenApply(result -> Collections.singletonMap("result", result));
    }

    /**
     * Always fails.
     *
     * @return nothing
     * @throws RpcException a {@code RangeError} with the message {@code test error}
     */
    public Object throwError() {
        throw RpcException.of("RangeError", "test error");
    }

    /**
     * @param i the counter's first value
     * @return a new counter, passed by reference
     */
    public Counter makeCounter(double i) {
        return new Counter(i);
    }

    /**
     * Increments a counter by one.
     *
     * @param c a counter of this server's or of the client's
     * @return the counter's new value
     */
    public CompletionStage<Object> incrementCounter(RpcStub c) {
        return incrementCounter(c, 1);
    }

    /**
     * Increments a counter.
     *
     * @param c a counter of this server's or of the client's
     * @param i what to add
     * @return the counter's new value
     */
    public CompletionStage<Object> incrementCounter(RpcStub c, double i) {
        return c.call("increment", i);
    }

    /**
     * @param n how many numbers
     * @return the first {@code n} Fibonacci numbers, starting {@code 0, 1, 1, 2}
     */
    public List<Double> generateFibonacci(double n) {
        List<Double> result = new ArrayList<>();
        double a = 0;
        double b = 1;
        while (result.size() < n) {
            result.add(a);
            double next = a + b;
            a = b;
            b = next;
        }
        return result;
    }

    /** @return {@code null} */
    public Object returnNull() {
        return null;
    }

    /** @return {@code undefined} */
    public Object returnUndefined() {
        return Undefined.INSTANCE;
    }

    /**
     * @param i a number
     * @return {@code i}
     */
    public Object returnNumber(Object i) {
        return i;
    }

    /**
     * Returns its argument. The session releases a call's arguments when the call returns, so
     * the stubs inside {@code x} are duplicated for the result, as the reference's own echo must.
     *
     * @param x any value
     * @return {@code x}, unchanged
     */
    public Object echo(Object x) {
        return retain(x);
    }

    private static Object retain(Object value) {
        if (value instanceof RpcStub) {
            return ((RpcStub) value).dup();
        }
        if (value instanceof List) {
            List<Object> copy = new ArrayList<>();
            for (Object element : (List<?>) value) {
                copy.add(retain(element));
            }
            return copy;
        }
        if (value instanceof Map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                copy.put(e.getKey(), retain(e.getValue()));
            }
            return copy;
        }
        return value;
    }

    /**
     * Adds like JavaScript's {@code +} for numbers and strings.
     *
     * @param a a number or string
     * @param b a number or string
     * @return the sum of two numbers, or the concatenation when either is a string
     */
    public Object add(Object a, Object b) {
        if (a instanceof Number && b instanceof Number) {
            return ((Number) a).doubleValue() + ((Number) b).doubleValue();
        }
        if (a instanceof String || b instanceof String) {
            return JsText.of(a) + JsText.of(b);
        }
        throw RpcException.of("TypeError", "add() takes two numbers or two strings, got "
                + JsText.typeOf(a) + " and " + JsText.typeOf(b) + ".");
    }
}
