package capnweb.transport.vertx;

import capnweb.api.spi.Keepalive;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.TransportText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MessageTransport} over one Vert.x WebSocket: one text frame (or one fragmented text
 * message) is one Cap'n Web message.
 *
 * <p>Threading: Vert.x calls the frame, close and exception handlers on the socket's event loop;
 * they only hand messages to the {@link MessageReceiver}, which never blocks. {@link #send} may be
 * called from any thread: Vert.x queues the write for the event loop and never blocks the caller.
 * Messages received before {@link #start} are kept and delivered by it, in order.
 *
 * <p>Bad input from the peer (a binary frame, a frame or message larger than the limit, a frame
 * Netty cannot decode) gets an {@code abort} message naming the problem, then a close frame; the
 * receiver learns of it through {@link MessageReceiver#onClosed}.
 */
final class WebSocketTransport implements MessageTransport {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());

    /** Close code for a session aborted after an error, as the reference implementation uses. */
    static final short ABORT_CODE = 3000;
    /** How long an aborted peer has to take what was queued for it before its connection is dropped. */
    static final Duration ABORT_GRACE = Duration.ofSeconds(5);
    /** RFC 6455: the endpoint received a type of data it cannot accept. */
    static final short UNSUPPORTED_DATA = 1003;
    /** RFC 6455: a message too big to process. */
    static final short MESSAGE_TOO_BIG = 1009;
    /** RFC 6455 close code: a text message that is not UTF-8. */
    static final short INVALID_PAYLOAD = 1007;
    /** RFC 6455: a protocol error. */
    static final short PROTOCOL_ERROR = 1002;
    /** RFC 6455: an unexpected condition on the server. */
    static final short INTERNAL_ERROR = 1011;
    /**
     * How much a connection's event loop writes before it flushes in the middle of a burst of
     * received frames (see {@link #flushIfBurstGrew}): a few dozen small answers, or one large.
     */
    static final int FLUSH_AT_BYTES = 8 * 1024;

    static final String BINARY_FRAME_MESSAGE = "Closing the WebSocket: binary frames are not supported; "
            + "send each Cap'n Web message as one text frame.";

    private final WebSocketBase socket;
    private final int maxMessageSize;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final CompletableFuture<Void> socketClosed = new CompletableFuture<>();
    /** The watch over the peer, or null when this side does not ping. */
    private final Keepalive keepalive;
    private volatile ScheduledFuture<?> keepaliveTask;
    /** Why the keepalive dropped the connection, once it did: the session ends with it. */
    private volatile String droppedBecause;

    private final Object lock = new Object();
    // guarded by lock
    private MessageReceiver receiver;
    private List<String> early = new ArrayList<>();
    private Throwable earlyEnd;
    private boolean ended;

    private volatile boolean closing;

    // set on the event loop, or by refuse() from a worker thread
    private volatile boolean failed;
    // event loop only
    private Buffer partialText;
    /** Bytes written on the event loop since {@link #flushIfBurstGrew} last flushed. */
    private long writtenSinceFlush;
    /** Set on first use, once the socket is connected; any thread may set it, to the same value. */
    private volatile ChannelHandlerContext channel;

    /**
     * Installs the frame, close and exception handlers on {@code socket}. For a client socket this
     * happens before it connects, so that no frame arrives unseen.
     *
     * @param socket the socket, connected or about to connect
     * @param maxMessageSize the largest message accepted, in bytes of UTF-8
     */
    WebSocketTransport(WebSocketBase socket, int maxMessageSize) {
        this(socket, maxMessageSize, null);
    }

    /**
     * A transport that pings its peer and watches it, once {@link #startKeepalive()} is called;
     * see {@link Keepalive}.
     *
     * @param socket the socket, connected
     * @param maxMessageSize the largest message accepted, in bytes of UTF-8
     * @param keepalive the watch over the peer, or null for none
     */
    WebSocketTransport(WebSocketBase socket, int maxMessageSize, Keepalive keepalive) {
        this.socket = Objects.requireNonNull(socket, "socket");
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive, got " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
        this.keepalive = keepalive;
        socket.frameHandler(this::onFrame);
        socket.closeHandler(v -> onSocketClosed());
        socket.exceptionHandler(this::onException);
        if (keepalive != null) {
            socket.pongHandler(pong -> keepalive.heard());
        }
    }

    /**
     * Starts pinging the peer; called once the socket is connected (a client's connects after the
     * transport is made). Does nothing without a keepalive or a connection.
     */
    void startKeepalive() {
        if (keepalive == null || keepaliveTask != null) {
            return;
        }
        ChannelHandlerContext c = channel();
        if (c == null) {
            return;
        }
        long period = keepalive.period().toNanos();
        // On the connection's own event loop: no other thread is woken for it.
        keepaliveTask = c.executor().scheduleAtFixedRate(this::checkOnPeer, period, period, TimeUnit.NANOSECONDS);
    }

    /** Pings the peer, or drops the connection if the peer sent nothing for the idle timeout. */
    private void checkOnPeer() {
        if (socketClosed.isDone()) {
            keepaliveTask.cancel(false);
            return;
        }
        try {
            if (keepalive.peerGone()) {
                droppedBecause = keepalive.goneReason();
                LOG.log(System.Logger.Level.DEBUG, droppedBecause);
                keepaliveTask.cancel(false);
                disconnect();
            } else {
                socket.writePing(Buffer.buffer());
            }
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again; the socket is closing anyway.
            LOG.log(System.Logger.Level.DEBUG, "Could not ping a WebSocket peer", e);
        }
    }

    @Override
    public void start(MessageReceiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        synchronized (lock) {
            if (this.receiver != null) {
                throw new IllegalStateException("The transport was already started.");
            }
            // Delivered under the lock so that a frame arriving now waits behind the early ones.
            for (String message : early) {
                receiver.onMessage(message);
            }
            early = null;
            this.receiver = receiver;
            if (earlyEnd != null) {
                receiver.onClosed(earlyEnd);
                earlyEnd = null;
            }
        }
    }

    @Override
    public void send(String message) {
        Objects.requireNonNull(message, "message");
        if (closing || socketClosed.isDone()) {
            // The receiver hears (or heard) of the end through onClosed; nothing more to write.
            return;
        }
        long size = TransportText.utf8Length(message);
        queuedBytes.addAndGet(size);
        try {
            socket.writeTextMessage(message).onComplete(ar -> queuedBytes.addAndGet(-size));
            flushIfBurstGrew(size);
        } catch (RuntimeException e) {
            queuedBytes.addAndGet(-size);
            LOG.log(System.Logger.Level.DEBUG, "dropping a message: the WebSocket is closed", e);
        }
    }

    /**
     * Vert.x holds what a connection's event loop writes while it reads a burst of frames, and
     * flushes it all once the burst is read. A peer with hundreds of calls in flight sends them
     * in bursts, so it would wait, idle, for the answers to a whole burst while they are
     * produced; writing every {@link #FLUSH_AT_BYTES} lets it start on the first answers
     * meanwhile. Writes from other threads are not counted: Vert.x queues them to the event
     * loop, which flushes them once it has written the queue.
     */
    private void flushIfBurstGrew(long size) {
        ChannelHandlerContext channel = channel();
        if (channel == null || !channel.executor().inEventLoop()) {
            return;
        }
        writtenSinceFlush += size;
        if (writtenSinceFlush >= FLUSH_AT_BYTES) {
            writtenSinceFlush = 0;
            channel.flush();
        }
    }

    /** @return the socket's Netty channel, once connected, or null if it cannot be reached */
    private ChannelHandlerContext channel() {
        ChannelHandlerContext c = channel;
        if (c == null && socket instanceof WebSocketInternal internal) {
            c = internal.channelHandlerContext();
            channel = c;
        }
        return c;
    }

    @Override
    public void close() {
        closeWith((short) 1000, null);
    }

    @Override
    public void abort(Throwable reason) {
        String text = reason == null || reason.getMessage() == null ? "aborted" : reason.getMessage();
        closeWith(ABORT_CODE, text);
        // A peer that does not read (the engine aborts such a session once too much is queued for
        // it) never takes the close frame, and would keep the connection and its queue until the
        // idle timeout: after a grace period, drop it.
        socketClosed.copy().orTimeout(ABORT_GRACE.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e != null) {
                disconnect();
            }
        });
    }

    /**
     * Drops the connection without flushing or a close handshake. The close starts at the head of
     * the channel's pipeline: through the WebSocket handlers it would first wait to flush a close
     * frame, which a peer that does not read never takes. It goes through Vert.x's internal
     * WebSocket view, which every Vert.x WebSocket implements; without it the connection waits
     * for the idle timeout as before.
     */
    private void disconnect() {
        ChannelHandlerContext channel = channel();
        ChannelHandlerContext first = channel == null ? null : channel.pipeline().firstContext();
        if (first != null) {
            LOG.log(System.Logger.Level.DEBUG, "Dropping an aborted WebSocket whose peer did not take what was queued");
            first.close();
        }
    }

    @Override
    public long queuedBytes() {
        return Math.max(0, queuedBytes.get());
    }

    /** @return a stage that completes once the socket has closed, by either side */
    CompletionStage<Void> socketClosed() {
        return socketClosed;
    }

    /** @return whether the socket is still open */
    boolean isOpen() {
        return !socketClosed.isDone();
    }

    /**
     * Sends an {@code abort} message with {@code message}, then closes with {@code code}: what
     * a transport does when it cannot run the session at all, e.g. when the main object could not
     * be made.
     */
    void refuse(short code, String message) {
        failed = true;
        String abort = TransportText.abortMessage(message);
        if (!closing && !socketClosed.isDone()) {
            closing = true;
            try {
                socket.writeTextMessage(abort);
                socket.close(code, TransportText.closeReason(message));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "the WebSocket closed before the abort was written", e);
            }
        }
        end(new IOException(message));
    }

    private void closeWith(short code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        if (socketClosed.isDone()) {
            return;
        }
        try {
            // Written after every frame already queued, so what was sent goes first.
            socket.close(code, reason == null ? null : TransportText.closeReason(reason));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "the WebSocket was already closed", e);
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (keepalive != null) {
            keepalive.heard();
        }
        if (failed) {
            return;
        }
        if (frame.isText()) {
            Buffer data = frame.binaryData();
            if (data.length() > maxMessageSize) {
                tooBig(data.length());
                return;
            }
            if (frame.isFinal()) {
                deliverText(data);
            } else {
                partialText = Buffer.buffer(Math.min(maxMessageSize, Math.max(256, data.length() * 2)));
                partialText.appendBuffer(data);
            }
        } else if (frame.isContinuation()) {
            if (partialText == null) {
                // Netty refuses a continuation without a start, so this only follows a binary
                // frame, which already failed the transport.
                return;
            }
            Buffer data = frame.binaryData();
            long total = (long) partialText.length() + data.length();
            if (total > maxMessageSize) {
                partialText = null;
                tooBig(total);
                return;
            }
            partialText.appendBuffer(data);
            if (frame.isFinal()) {
                Buffer message = partialText;
                partialText = null;
                deliverText(message);
            }
        } else if (frame.isBinary()) {
            fail(UNSUPPORTED_DATA, BINARY_FRAME_MESSAGE);
        }
        // Ping, pong and close frames are handled by Vert.x.
    }

    /** Delivers a whole text message, or fails the transport if it is not UTF-8 (RFC 6455, 8.1). */
    private void deliverText(Buffer data) {
        String text = TransportText.strictUtf8(data.toString(StandardCharsets.UTF_8), data::getBytes);
        if (text == null) {
            fail(INVALID_PAYLOAD, "Closing the WebSocket: a text message is not UTF-8.");
        } else {
            deliver(text);
        }
    }

    private void tooBig(long size) {
        fail(MESSAGE_TOO_BIG, "Closing the WebSocket: a message of at least " + size
                + " bytes is larger than the limit of " + maxMessageSize + " bytes.");
    }

    private void onException(Throwable error) {
        if (error instanceof CorruptedWebSocketFrameException) {
            CorruptedWebSocketFrameException e = (CorruptedWebSocketFrameException) error;
            int code = e.closeStatus() == null ? PROTOCOL_ERROR : e.closeStatus().code();
            if (code == MESSAGE_TOO_BIG) {
                fail(MESSAGE_TOO_BIG, "Closing the WebSocket: a frame is larger than the limit of "
                        + maxMessageSize + " bytes.");
            } else {
                fail((short) code, "Closing the WebSocket: a frame could not be decoded: " + e.getMessage());
            }
            return;
        }
        // Connection errors: the close handler follows and reports the end.
        LOG.log(System.Logger.Level.DEBUG, "WebSocket error", error);
    }

    /**
     * The peer broke the rules: tell it why in an {@code abort} message, close, and end the
     * session. Runs on the event loop.
     */
    private void fail(short code, String message) {
        if (failed) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "closing a WebSocket with code " + code + ": " + message);
        refuse(code, message);
    }

    private void deliver(String message) {
        MessageReceiver r;
        synchronized (lock) {
            if (ended) {
                return;
            }
            if (receiver == null) {
                early.add(message);
                return;
            }
            r = receiver;
        }
        try {
            r.onMessage(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The Cap'n Web receiver failed on a message; closing the WebSocket.", e);
            refuse(INTERNAL_ERROR, "The server failed to accept a message.");
        }
    }

    private void onSocketClosed() {
        Short code = socket.closeStatusCode();
        String reason = socket.closeReason();
        int c = code == null ? 1006 : code;
        if (keepaliveTask != null) {
            keepaliveTask.cancel(false);
        }
        queuedBytes.set(0);
        socketClosed.complete(null);
        String dropped = droppedBecause;
        end(new IOException(dropped != null ? dropped : TransportText.webSocketClosed(c, reason)));
    }

    private void end(Throwable cause) {
        MessageReceiver r;
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            if (receiver == null) {
                earlyEnd = cause;
                return;
            }
            r = receiver;
        }
        try {
            r.onClosed(cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The Cap'n Web receiver failed when the WebSocket closed.", e);
        }
    }


}
