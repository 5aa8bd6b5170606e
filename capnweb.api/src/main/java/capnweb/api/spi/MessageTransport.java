package capnweb.api.spi;

/**
 * A bidirectional channel of text messages: the only thing the engine needs from a transport.
 *
 * <p>Lifecycle: the engine calls {@link #start} once, then {@link #send} any number of times,
 * and finally {@link #close} or {@link #abort} once. The engine calls these methods from one
 * thread at a time (its session executor), so implementations need not synchronise among them,
 * but they must not block: queue what cannot be written at once.
 */
public interface MessageTransport {

    /**
     * Starts delivering received messages to {@code receiver}.
     *
     * @param receiver where to deliver messages and the end of the transport
     */
    void start(MessageReceiver receiver);

    /**
     * Sends one message, or queues it until {@link #flush()}. Must not block; a transport that
     * cannot send any more reports it through {@link MessageReceiver#onClosed}.
     *
     * @param message the message text, one JSON value without newlines
     */
    void send(String message);

    /**
     * Writes what {@link #send} has queued. The engine calls it after every message it sends,
     * or, for the messages it sends while handling others, once at the end of that work and
     * before application code runs (unless the session's application promised never to block,
     * with {@code SessionOptions.Builder.directExecutor()}); so a transport may hold messages
     * until then and write a burst in one system call. One that writes in {@link #send} need not
     * override it. Must not block.
     */
    default void flush() {
    }

    /**
     * Ends the transport cleanly: sends what is queued, then closes (a WebSocket close frame with
     * code 1000).
     */
    void close();

    /**
     * Ends the transport after an error: sends what is queued (usually an {@code abort} message
     * last), then closes. {@link MessageReceiver#onClosed} need not be called afterwards.
     *
     * @param reason what went wrong
     */
    void abort(Throwable reason);

    /**
     * How many bytes given to {@link #send} have not yet been written to the peer, for
     * backpressure. Transports that cannot tell return 0.
     *
     * @return the bytes still queued
     */
    default long queuedBytes() {
        return 0;
    }

    /**
     * Whether the threads that call {@link MessageReceiver#onMessage} may block, as a Jetty pool
     * thread may (Jetty hands its selector duty to another thread first), and a Vert.x event loop
     * must not. When true, and the session runs on the engine's own executor, the engine handles
     * a message that arrives while the session is idle on the delivering thread itself, target
     * method included, instead of handing it to another thread: one context switch less per
     * message.
     *
     * @return true if the delivering threads may run application code that blocks
     */
    default boolean deliveryThreadsMayBlock() {
        return false;
    }
}
