package capnweb.api;

/**
 * Marks a class whose instances are passed by reference: the peer receives a stub, and its calls
 * come back to this object.
 *
 * <p>Remote callers reach the public instance methods declared by the target's class and its
 * superclasses (up to, not including, {@code Object}), and read-only properties: a property
 * {@code x} is the public no-argument method {@code x()}, {@code getX()} or {@code isX()}. They
 * never reach fields, static or non-public members, the methods of {@code Object}, of this API's
 * own types, or {@code close()}.
 *
 * <p>When the peer releases its last reference, a target that also implements
 * {@link AutoCloseable} is closed.
 *
 * <p>A target method may return a plain value, or a {@link java.util.concurrent.CompletionStage}
 * for slow work; it runs on its session's executor, one call at a time per session, in the order
 * the calls arrived.
 */
public interface RpcTarget {
}
