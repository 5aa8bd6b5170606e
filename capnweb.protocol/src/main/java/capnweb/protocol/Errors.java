package capnweb.protocol;

import capnweb.api.RpcException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The errors the engine raises, named by their JavaScript types as the reference raises them. */
final class Errors {
    private Errors() {
    }

    static RpcException error(String message) {
        return RpcException.of("Error", message);
    }

    /**
     * What is still pending when an HTTP batch session ends rejects with, on either end. Made for
     * every batch, and of no use with a stack: what is pending was made by the application, whose
     * own stacks say where.
     */
    static RpcException batchEnded() {
        return RpcException.withoutStackTrace("Error", "Batch RPC request ended.");
    }

    static RpcException type(String message) {
        return RpcException.of("TypeError", message);
    }

    static RpcException syntax(String message) {
        return RpcException.of("SyntaxError", message);
    }

    static RpcException range(String message) {
        return RpcException.of("RangeError", message);
    }

    /** The error every pending call and stub sees once the transport is gone. */
    static RpcException connectionLost(Throwable cause) {
        String why = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return RpcException.received("Error", "The RPC connection was lost" + why, Map.of(),
                Optional.empty(), Optional.ofNullable(cause));
    }

    /**
     * A rejection whose value is not an error: JavaScript may throw (and the wire may carry) any
     * value, e.g. {@code ["reject", 5, "just a string"]}. Kept as is so it can travel on.
     */
    static final class ThrownValue extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Object value;

        ThrownValue(Object value) {
            super("The peer threw a value that is not an Error: " + value, null, false, false);
            this.value = value;
        }

        Object value() {
            return value;
        }
    }

    /** Peels the wrappers that executors and reflection put around what code really threw. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** What the application sees for an engine-level failure: always an unchecked exception. */
    static RuntimeException forApplication(Throwable t) {
        t = unwrap(t);
        if (t instanceof ThrownValue) {
            Object v = ((ThrownValue) t).value();
            return RpcException.received("Error", String.valueOf(v), Map.of("value", v == null ? "null" : v),
                    Optional.empty(), Optional.empty());
        }
        if (t instanceof RpcException || t instanceof capnweb.api.RpcTimeoutException
                || t instanceof java.util.concurrent.CancellationException) {
            return (RuntimeException) t;
        }
        // Local failures (a transport error, an abort reason) reach the application as an
        // RpcException that carries the original as its cause.
        String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
        return RpcException.received("Error", message, Map.of(), Optional.empty(), Optional.of(t));
    }

    /** The value of an error as the wire carries it: the thrown value for non-errors. */
    static Object asValue(Throwable t) {
        t = unwrap(t);
        return t instanceof ThrownValue ? ((ThrownValue) t).value() : t;
    }

    /** The inverse of {@link #asValue}: what to reject with for a received value. */
    static Throwable fromValue(Object value) {
        return value instanceof Throwable ? (Throwable) value : new ThrownValue(value);
    }
}
