package capnweb.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An error that crossed the wire, or one a target throws to choose what the peer sees.
 *
 * <p>It carries the JavaScript error type ({@code "Error"}, {@code "TypeError"},
 * {@code "RangeError"}...), the message, and any extra properties the error had (including
 * {@code cause}). A target that throws an {@code RpcException} sends exactly its type, message
 * and properties; any other exception is sent as an {@code Error} with its message. Stacks are
 * not sent unless the session's {@code onSendError} hook asks for it.
 */
public final class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String type;
    private final transient Map<String, Object> properties;
    private final String remoteStack;

    private RpcException(String type, String message, Map<String, Object> properties,
            String remoteStack, Throwable cause) {
        this(type, message, properties, remoteStack, cause, true);
    }

    private RpcException(String type, String message, Map<String, Object> properties,
            String remoteStack, Throwable cause, boolean stackTrace) {
        super(message, cause, true, stackTrace);
        this.type = Objects.requireNonNull(type, "type");
        // Most errors have no properties: no copy then, as one made for every HTTP batch's end.
        this.properties = properties.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.remoteStack = remoteStack;
    }

    /**
     * Makes an error of the given JavaScript type.
     *
     * @param type the error type, e.g. {@code "RangeError"}
     * @param message the message
     * @return the error
     */
    public static RpcException of(String type, String message) {
        return new RpcException(type, Objects.requireNonNull(message, "message"), Map.of(), null, null);
    }

    /**
     * Makes an error of the given type that records no stack trace. Recording one walks the
     * whole stack, often most of what making an error costs; without it the error is cheap, for
     * errors that are expected and frequent (a lookup that finds nothing, the end of a session).
     * The peer never sees a local stack unless the session's {@code onSendError} hook adds one.
     *
     * @param type the error type, e.g. {@code "RangeError"}
     * @param message the message
     * @return the error, whose {@link #getStackTrace()} is empty
     */
    public static RpcException withoutStackTrace(String type, String message) {
        return new RpcException(type, Objects.requireNonNull(message, "message"), Map.of(), null, null, false);
    }

    /**
     * Makes an error of the given type with extra properties, which the peer sees as own
     * properties of its error object.
     *
     * @param type the error type
     * @param message the message
     * @param properties extra properties; values are sent like any other value
     * @return the error
     */
    public static RpcException of(String type, String message, Map<String, ?> properties) {
        return new RpcException(type, Objects.requireNonNull(message, "message"),
                new LinkedHashMap<>(Objects.requireNonNull(properties, "properties")), null, null);
    }

    /**
     * Makes an error as received from a peer. Used by engines; users rarely need it.
     *
     * @param type the error type
     * @param message the message
     * @param properties the extra properties
     * @param remoteStack the stack the peer sent, if any
     * @param cause the local cause, if any (e.g. the transport error behind a lost connection)
     * @return the error
     */
    public static RpcException received(String type, String message, Map<String, ?> properties,
            Optional<String> remoteStack, Optional<Throwable> cause) {
        return new RpcException(type, Objects.requireNonNull(message, "message"),
                new LinkedHashMap<>(Objects.requireNonNull(properties, "properties")),
                remoteStack.orElse(null), cause.orElse(null));
    }

    /** @return the JavaScript error type, e.g. {@code "TypeError"} */
    public String type() {
        return type;
    }

    /** @return the extra properties of the error, in the order they were given; never null */
    public Map<String, Object> properties() {
        return properties == null ? Map.of() : properties;
    }

    /** @return the stack trace text the peer chose to send, if any */
    public Optional<String> remoteStack() {
        return Optional.ofNullable(remoteStack);
    }

    @Override
    public String toString() {
        return type + ": " + getMessage();
    }
}
