package capnweb.api;

import java.util.function.Consumer;

/**
 * A reference to an object or function that lives in the peer: calls on it travel to the peer.
 * ({@link #of(Object)} makes one of a local object, whose calls run here.)
 *
 * <p>Every call returns an {@link RpcPromise} at once; nothing here blocks. Arguments travel by
 * value, except {@link RpcTarget}s, {@link RpcFunction}s, stubs and promises, which travel by
 * reference. Values arrive as: {@code null}, {@link Boolean}, {@link String}, {@link Long} (a whole
 * number within &plusmn;2<sup>53</sup>) or {@link Double}, {@link java.util.List},
 * {@link java.util.Map Map&lt;String, Object&gt;} (in the peer's order), {@link Undefined},
 * {@link java.math.BigInteger}, {@link java.time.Instant}, {@code byte[]}, {@link java.net.URI},
 * {@link RpcException}, and {@link RpcStub} for references.
 *
 * <p>A stub holds a reference in the peer until it is {@linkplain #close() closed}; close every
 * stub you receive or create when you are done with it (try-with-resources works). Stubs are
 * thread-safe.
 */
public interface RpcStub extends AutoCloseable {

    /**
     * A stub of a local object, with no connection: the reference's {@code new RpcStub(target)}.
     * Calls on it run the target's methods on the engine's threads, as a session's calls do, and
     * it is used like any stub: called, viewed through {@link #as(Class)}, duplicated, passed in
     * the calls and results of any session, captured in {@link #map(java.util.function.Function)}.
     *
     * <p>Use it to pass one object to several sessions (or several times) and learn once when all
     * of them are done with it: an {@link AutoCloseable} target is closed when this stub, its
     * duplicates and every reference a peer got through it are closed or released, where passing
     * the bare target to each session closes it once per session. Use it too for a callback that
     * calls recorded in {@code map()} take, since a mapper cannot make one, and to run code written
     * against stubs without a peer.
     *
     * @param target an {@link RpcTarget} or {@link RpcFunction}
     * @return a stub that owns one reference to the target; close it when done
     * @throws IllegalArgumentException if {@code target} is neither
     */
    static RpcStub of(Object target) {
        java.util.Objects.requireNonNull(target, "target");
        return capnweb.api.spi.ProviderRegistry.load().engine().localStub(target);
    }

    /**
     * Calls the method {@code method} of the remote object.
     *
     * @param method the method name
     * @param args the arguments
     * @return a promise for the result, which can itself be called before it resolves
     */
    RpcPromise call(String method, Object... args);

    /**
     * Calls the remote object itself as a function (for stubs of functions).
     *
     * @param args the arguments
     * @return a promise for the result
     */
    RpcPromise invoke(Object... args);

    /**
     * Reads the property {@code property} of the remote object. The read is pipelined: it travels
     * with the next message, and calls on the returned promise need no round trip.
     *
     * @param property the property name
     * @return a promise for the property's value
     */
    RpcPromise get(String property);

    /**
     * Reads the element {@code index} of a remote array, pipelined like {@link #get(String)}.
     *
     * @param index the element index
     * @return a promise for the element
     */
    RpcPromise get(int index);

    /**
     * Makes a second, independent reference to the same remote object. Each must be closed.
     *
     * @return the new stub
     */
    RpcStub dup();

    /**
     * Views this stub as the application's interface {@code type} (a dynamic proxy): each
     * interface method calls the remote method of the same name with its arguments.
     *
     * <p>A no-argument {@code getX()}, boolean {@code isX()} or {@link RpcProperty}-annotated
     * method reads the property {@code x} instead. What a method returns depends on its declared
     * return type:
     * <ul>
     * <li>{@link RpcPromise} (or {@code RpcStub}): the promise at once; nothing waits, and calls on
     *     it are pipelined;</li>
     * <li>another application interface (not {@code java.*} or this API): a typed view of the
     *     promise, pipelined the same way; a failure of the call shows on the first call that
     *     waits;</li>
     * <li>{@link java.util.concurrent.CompletionStage} or
     *     {@link java.util.concurrent.CompletableFuture}{@code <T>}: completes with the result
     *     converted to {@code T};</li>
     * <li>{@code void}: waits for the call to finish and throws its error;</li>
     * <li>any other type: waits (with {@link SessionOptions#defaultTimeout()}) and converts the
     *     result to the declared generic type: numbers, strings, records (from objects), enums
     *     (from names), {@code List<T>}, {@code Map<String,T>}, {@code Optional<T>}, arrays;
     *     a mismatch throws {@link RpcException} with type {@code TypeError} naming the method.</li>
     * </ul>
     * {@code close()} (from {@link AutoCloseable} or declared by the interface) closes this
     * stub; an interface that extends {@code RpcStub} reaches this stub's own methods; default
     * methods run locally; {@code equals}, {@code hashCode} and {@code toString} are the proxy's.
     *
     * <p>Under JPMS the interface needs no directive if it only declares remote methods; default
     * methods and the records and enums it uses need their package exported to the engine:
     * {@code exports com.example.api to capnweb.protocol;} (or exported to everyone). The error
     * names the missing directive.
     *
     * @param type the interface to implement
     * @param <T> the interface type
     * @return a proxy implementing {@code type} over this stub; it does not own a separate
     *     reference: closing it closes this stub
     * @throws IllegalArgumentException if {@code type} is not an interface
     */
    default <T> T as(Class<T> type) {
        throw new UnsupportedOperationException("as() is not supported by this stub");
    }

    /**
     * Releases this reference. Calls made afterwards fail; calls already made go on. Closing
     * twice does nothing.
     */
    @Override
    void close();

    /**
     * Applies {@code mapper} to the remote value where it lives, without fetching it: the
     * reference's {@code map()}. If the value is an array, the mapper runs once per element and
     * the result is the array of results; for null or undefined it does not run; otherwise it
     * runs once on the value.
     *
     * <p>The mapper runs once, locally and at once, on a placeholder for the value, and what it
     * does is recorded and sent: it may only call methods and read properties of the placeholder,
     * of stubs it captures, and of what those calls return (never waiting for them), and return
     * a value built from those results. It must not block, wait, or have side effects.
     *
     * @param mapper builds the result for one element from its placeholder
     * @return a promise for the mapped value
     * @throws UnsupportedOperationException if this stub's engine cannot map
     */
    default RpcPromise map(java.util.function.Function<? super RpcPromise, ?> mapper) {
        throw new UnsupportedOperationException("map() is not supported by this stub");
    }

    /**
     * Registers a callback that runs once if this stub breaks: the connection was lost, the
     * session was aborted, or (for a promise) it rejected. A callback registered after the stub
     * broke runs at once.
     *
     * @param callback receives the error that broke the stub
     * @return a registration whose {@code close()} unregisters the callback
     */
    Registration onBroken(Consumer<? super Throwable> callback);
}
