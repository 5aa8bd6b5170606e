package capnweb.api;

/**
 * Marks a class whose instances are passed by reference: the peer receives a stub, and its calls
 * come back to this object.
 *
 * <p>Remote callers reach the public instance methods declared by the target's class and its
 * superclasses (up to, not including, {@code Object}), and read-only properties. They never
 * reach fields, static or non-public members, the methods of {@code Object}, of this API's own
 * types, or {@code close()}.
 *
 * <p>Reading a property {@code x} (without calling it) finds, in this order, a public
 * non-void no-argument method
 * <ol>
 * <li>annotated {@link RpcProperty} (named {@code x}, or named by the annotation);</li>
 * <li>{@code x()}, when no other public method is named {@code x} and it is not varargs: record
 *     accessors and methods like {@code value()} are properties;</li>
 * <li>{@code getX()}, or {@code isX()} returning {@code boolean}.</li>
 * </ol>
 * Otherwise, if {@code x} names a method, the reader gets that method as a function bound to this
 * target, without calling it, as JavaScript's {@code obj.method} does: reading {@code increment}
 * of a class with {@code increment()} and {@code increment(long)} has no side effect. Annotate a
 * no-argument method that is overloaded with {@link RpcProperty} to make it a property anyway.
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
