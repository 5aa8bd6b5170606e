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
     * Writes what {@link #send} has queued, at once. The engine calls it after every message
     * sent by application code or from outside the session's own work (unless the session's
     * application promised never to block, with {@code SessionOptions.Builder.directExecutor()}),
     * after an {@code abort}, and whenever a turn has sent 64 Ki characters; for the rest, the
     * messages it sends while handling others, it calls {@link #flushSoon()} once at the end of
     * that work and before application code runs. So a transport may hold messages until one of
     * the two and write a burst in one system call. One that writes in {@link #send} need not
     * override it. Must not block.
     */
    default void flush() {
    }

    /**
     * Writes what {@link #send} has queued, at once or very soon. The engine calls it instead of
     * {@link #flush()} at the end of its work on a message and before application code runs. A
     * transport may then hold the messages while the thread that delivered the message has more,
     * already received, to deliver, so that the answers to a burst of messages are written
     * together; it must write them once that burst is delivered, and within about a millisecond
     * even if that thread is held up (in application code, or waiting for the rest of a message).
     * By default it is {@link #flush()}. Must not block.
     */
    default void flushSoon() {
        flush();
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
