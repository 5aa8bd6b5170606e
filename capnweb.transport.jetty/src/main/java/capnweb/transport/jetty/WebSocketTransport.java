package capnweb.transport.jetty;

import capnweb.api.spi.Keepalive;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.TransportText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;

/**
 * One WebSocket connection as a {@link MessageTransport}: one text frame is one message.
 *
 * <p>Receiving: frames are demanded one at a time, joined into messages, and handed to the
 * receiver in order; messages that arrive before {@link #start} are held until then. A message
 * over the size limit is refused as soon as its size is known, with an {@code abort} and a close
 * (1009); a binary frame likewise (1003). Text frames are taken as raw bytes
 * ({@link #onWebSocketFrame}), checked as UTF-8 as they arrive (invalid UTF-8 closes with 1007, as
 * Jetty's own text handling would) and decoded once per message: Jetty's decoder works byte by
 * byte into a builder, most of the CPU time of receiving a large message. Taking frames means
 * answering pings and reporting close frames here, as Jetty does for listeners that take
 * messages.
 *
 * <p>Sending never blocks: messages queue until the engine flushes, and a single writer hands
 * them to Jetty in order, a burst at a time to be written together; the queue's size is what
 * {@link #queuedBytes()} reports. While Jetty delivers frames it read together, what the engine
 * sends in answer is held until the last of them is handled (for a millisecond or two at most),
 * so that a burst of calls is answered with one write. Closing and aborting wait for the queue to
 * drain before the close frame goes out.
 *
 * <p>A transport with a {@link Keepalive} (a server's, or a client's that asked for one) pings its
 * peer from a shared timer thread and disconnects a peer that sent nothing, pongs included, for
 * the timeout.
 *
 * <p>Public only because Jetty calls the listener methods through a public method-handle lookup,
 * which reaches nothing but public classes of exported packages; applications never make one.
 */
public final class WebSocketTransport implements MessageTransport, Session.Listener {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());

    /** The code the reference implementation closes with after an abort. */
    static final int ABORT_CLOSE_CODE = 3000;
    /** How long an aborted connection may take to flush its queue and close before it is dropped. */
    static final Duration ABORT_GRACE = Duration.ofSeconds(5);

    static final String BINARY_REFUSED = "Binary WebSocket frames are not supported: Cap'n Web sends "
            + "each message as one text frame.";

    private final long maxTextMessageBytes;
    private final Duration idleTimeout;
    /** The watch over the peer, or null when this side does not ping. */
    private final Keepalive keepalive;
    private volatile ScheduledFuture<?> keepaliveTask;
    /** Why the keepalive dropped the connection, once it did: the session ends with it. */
    private volatile String droppedBecause;
    private final Consumer<WebSocketTransport> onOpen;
    private final Consumer<WebSocketTransport> onEnd;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** At most this many messages are handed to Jetty before their writes complete. */
    private static final int MAX_BATCH = 64;
    private static final byte[] EMPTY = new byte[0];
    /** A receive buffer up to this size is kept for the next message; a larger one is dropped. */
    private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

    private final Flusher flusher = new Flusher();
    /** The thread handing a received message to the engine, while it does so; else null. */
    private volatile Thread delivering;
    /** Whether a write of held messages is due with {@link BurstDeadline}. */
    private final AtomicBoolean deadlineArmed = new AtomicBoolean();
    private final Runnable deadlineWrite = () -> {
        deadlineArmed.set(false);
        flusher.iterate();
    };

    private final Object lock = new Object();
    private Session session;
    private MessageReceiver receiver;
    private final ArrayDeque<String> early = new ArrayDeque<>();
    // Only Jetty's demand-driven delivery touches these: one frame at a time, never concurrently.
    /** The text message being received, as UTF-8; released after a large message. */
    private byte[] partial = EMPTY;
    private int partialLength;
    /** How much of {@link #partial} is checked UTF-8: all but an incomplete trailing sequence. */
    private int partialChecked;
    /** Counts delivered frames against bytes read; null when they cannot be counted. */
    private ReadBurst readBurst;
    /** Whether the engine's messages are held until the frames already read are delivered. */
    private boolean heldForBurst;
    private final AtomicBoolean closeNotified = new AtomicBoolean();
    private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
    private long queuedBytes;
    private int closeCode;
    private String closeReason;
    private boolean closeRequested;
    private boolean closeSent;
    private boolean receivingStopped;
    private boolean receiverNotified;
    private Throwable error;

    /**
     * @param maxTextMessageBytes the largest text message accepted, in bytes
     * @param idleTimeout how long the connection may stay silent, zero for none, null for Jetty's default
     * @param keepalive the server's pings and watch over the peer, or null for none
     * @param onOpen runs once the socket is open (starts the session); may throw to refuse it
     * @param onEnd runs once the socket has closed
     */
    WebSocketTransport(long maxTextMessageBytes, Duration idleTimeout, Keepalive keepalive,
            Consumer<WebSocketTransport> onOpen, Consumer<WebSocketTransport> onEnd) {
        this.maxTextMessageBytes = maxTextMessageBytes;
        this.idleTimeout = idleTimeout;
        this.keepalive = keepalive;
        this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    }

    /** @return completes once the socket has closed, however it ended */
    CompletableFuture<Void> ended() {
        return ended;
    }

    boolean isOpen() {
        synchronized (lock) {
            return session != null && session.isOpen();
        }
    }

    // ---- MessageTransport (called by the engine) -------------------------------------------

    @Override
    public void start(MessageReceiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        synchronized (lock) {
            if (this.receiver != null) {
                throw new IllegalStateException("This WebSocket transport was already started.");
            }
            this.receiver = receiver;
            // Deliver under the lock so that a frame arriving now cannot overtake the held ones;
            // the receiver never blocks.
            while (!early.isEmpty()) {
                receiver.onMessage(early.poll());
            }
            if (error != null && !receiverNotified) {
                receiverNotified = true;
                receiver.onClosed(error);
            }
        }
    }

    @Override
    public void send(String message) {
        Objects.requireNonNull(message, "message");
        synchronized (lock) {
            if (closeRequested || session == null) {
                // The engine learns about the end through onClosed; dropping is what a closed
                // socket would do anyway.
                return;
            }
            Outgoing out = new Outgoing(message, TransportText.utf8Length(message));
            outgoing.add(out);
            queuedBytes += out.bytes();
        }
    }

    @Override
    public void flush() {
        flusher.iterate();
    }

    /**
     * While Jetty delivers a burst of frames it read together, the engine's messages wait for the
     * burst's end ({@link #writeHeldAfterBurst}), so that its answers go out in one write; and
     * for at most a millisecond or two ({@link BurstDeadline}), in case a target method holds up
     * the delivering thread or the burst ends with a frame not yet read whole.
     */
    @Override
    public void flushSoon() {
        if (delivering == Thread.currentThread() && readBurst.moreBuffered()) {
            heldForBurst = true;
            if (deadlineArmed.compareAndSet(false, true)) {
                BurstDeadline.writeSoon(deadlineWrite);
            }
            return;
        }
        flusher.iterate();
    }

    @Override
    public void close() {
        requestClose(StatusCode.NORMAL, "");
    }

    @Override
    public void abort(Throwable reason) {
        String message = reason == null || reason.getMessage() == null ? String.valueOf(reason) : reason.getMessage();
        requestClose(ABORT_CLOSE_CODE, message);
        // A peer that does not read (the engine aborts such a session once too much is queued for
        // it) would keep the connection and its queue until the idle timeout: after a grace
        // period, drop it. The timer is cancelled as soon as the socket ends.
        ended.copy().orTimeout(ABORT_GRACE.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e != null) {
                disconnect();
            }
        });
    }

    /** Drops the connection without flushing or a close handshake. */
    private void disconnect() {
        Session s;
        synchronized (lock) {
            s = session;
        }
        if (s != null) {
            LOG.log(System.Logger.Level.DEBUG, "Dropping an aborted WebSocket whose peer did not take what was queued");
            s.disconnect();
        }
    }

    /**
     * Jetty calls the listener on a pool thread that may block: its selector hands production to
     * another thread before running a blocking task. So the engine may handle each message right
     * here, and the next frame is demanded only once it has.
     */
    @Override
    public boolean deliveryThreadsMayBlock() {
        return true;
    }

    @Override
    public long queuedBytes() {
        synchronized (lock) {
            return queuedBytes;
        }
    }

    /**
     * Sends what is queued, then a close frame. Later sends are dropped.
     *
     * @param code the close code
     * @param reason the close reason, cut to what a close frame can carry
     */
    void requestClose(int code, String reason) {
        synchronized (lock) {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            closeCode = code;
            closeReason = TransportText.closeReason(reason);
            if (session == null) {
                // Not open (yet): nothing to flush; if it opens after all, onWebSocketOpen closes it.
                ended.complete(null);
                return;
            }
        }
        flusher.iterate();
    }

    // ---- Session.Listener (called by Jetty) ------------------------------------------------

    @Override
    public void onWebSocketOpen(Session session) {
        // Text messages arrive frame by frame (Jetty splits large frames at its maximum frame
        // size), and this class enforces the message limit itself, so that an oversize message
        // is answered with an abort naming the limit before the close, and never buffered whole.
        session.setMaxTextMessageSize(-1);
        if (idleTimeout != null) {
            session.setIdleTimeout(idleTimeout);
        }
        readBurst = ReadBurst.of(session);
        boolean closeNow;
        synchronized (lock) {
            this.session = session;
            closeNow = closeRequested;
        }
        if (closeNow) {
            // Closed before it opened (e.g. the server began stopping during the upgrade).
            flusher.iterate();
            return;
        }
        try {
            onOpen.accept(this);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not start a Cap'n Web session on a new WebSocket; "
                    + "closing it", e);
            requestClose(StatusCode.SERVER_ERROR, "Could not start a Cap'n Web session.");
            return;
        }
        if (keepalive != null) {
            long period = keepalive.period().toNanos();
            keepaliveTask = KeepaliveTimer.TIMER.scheduleAtFixedRate(this::checkOnPeer, period, period,
                    TimeUnit.NANOSECONDS);
        }
        session.demand();
    }

    /** Pings the peer, or drops the connection if the peer sent nothing for the idle timeout. */
    private void checkOnPeer() {
        Session s;
        synchronized (lock) {
            s = session;
        }
        if (s == null || !s.isOpen()) {
            return;
        }
        try {
            if (keepalive.peerGone()) {
                droppedBecause = keepalive.goneReason();
                LOG.log(System.Logger.Level.DEBUG, droppedBecause);
                stopKeepalive();
                s.disconnect();
            } else {
                s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
            }
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again; the socket is closing anyway.
            LOG.log(System.Logger.Level.DEBUG, "Could not ping a WebSocket peer", e);
        }
    }

    private void stopKeepalive() {
        ScheduledFuture<?> task = keepaliveTask;
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        if (keepalive != null) {
            keepalive.heard();
        }
        if (readBurst != null) {
            readBurst.delivered(frame);
        }
        Frame.Type type = frame.getType();
        if (type == Frame.Type.TEXT || type == Frame.Type.BINARY || type == Frame.Type.CONTINUATION) {
            if (Frame.Type.from(frame.getEffectiveOpCode()) == Frame.Type.BINARY) {
                callback.succeed();
                refuse(BINARY_REFUSED, StatusCode.BAD_DATA);
                return;
            }
            onText(frame.getPayload(), frame.isFin(), callback);
        } else {
            onControlFrame(frame, callback);
        }
        writeHeldAfterBurst();
    }

    private void onControlFrame(Frame frame, Callback callback) {
        Session s;
        synchronized (lock) {
            s = session;
        }
        switch (frame.getType()) {
            case PING -> s.sendPong(frame.getPayload(), Callback.from(() -> {
                callback.succeed();
                s.demand();
            }, x -> {
                callback.succeed();
                s.demand();
            }));
            case PONG -> {
                callback.succeed();
                s.demand();
            }
            case CLOSE -> {
                Frame.CloseStatus status = frame.getCloseStatus();
                onWebSocketClose(status.statusCode(), status.reason(), callback);
            }
            default -> callback.succeed();
        }
    }

    private void onText(ByteBuffer payload, boolean last, Callback callback) {
        Session s;
        synchronized (lock) {
            if (receivingStopped) {
                callback.succeed();
                return;
            }
            s = session;
        }
        int n = payload.remaining();
        if ((long) partialLength + n > maxTextMessageBytes) {
            resetPartial();
            refuse("The WebSocket message is larger than this endpoint's limit of " + maxTextMessageBytes
                    + " bytes.", StatusCode.MESSAGE_TOO_LARGE);
            callback.succeed();
            return;
        }
        if (partialLength + n > partial.length) {
            long grown = Math.max(partialLength + n, Math.min(2L * partial.length, maxTextMessageBytes));
            partial = Arrays.copyOf(partial, (int) Math.max(grown, Math.min(256, maxTextMessageBytes)));
        }
        payload.get(partial, partialLength, n);
        partialLength += n;
        int checked = checkUtf8(partial, partialChecked, partialLength);
        if (checked < 0 || (last && checked != partialLength)) {
            resetPartial();
            callback.fail(new BadPayloadException.InvalidUtf8());
            return;
        }
        partialChecked = checked;
        if (!last) {
            s.demand();
            callback.succeed();
            return;
        }
        String message = new String(partial, 0, partialLength, StandardCharsets.UTF_8);
        resetPartial();
        LOG.log(System.Logger.Level.TRACE, () -> "received " + message);
        MessageReceiver r;
        synchronized (lock) {
            if (receivingStopped) {
                callback.succeed();
                return;
            }
            r = receiver;
            if (r == null) {
                early.add(message);
            }
        }
        // Outside the lock: Jetty delivers one frame at a time (the next only after demand()),
        // and start() hands over the held messages before it publishes the receiver, so the
        // order holds without calling into the engine while holding this transport's lock.
        if (r != null) {
            delivering = readBurst != null ? Thread.currentThread() : null;
            try {
                r.onMessage(message);
            } finally {
                delivering = null;
            }
        }
        s.demand();
        callback.succeed();
    }

    /** Writes the messages held for a burst once Jetty has delivered every frame it read. */
    private void writeHeldAfterBurst() {
        if (heldForBurst && !readBurst.moreBuffered()) {
            heldForBurst = false;
            flusher.iterate();
        }
    }

    private void resetPartial() {
        if (partial.length > RETAINED_BUFFER_BYTES) {
            partial = EMPTY;
        }
        partialLength = 0;
        partialChecked = 0;
    }

    /**
     * Checks UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF).
     *
     * @return where a trailing incomplete sequence starts ({@code end} if there is none), or -1
     *     if the bytes are not UTF-8, including an incomplete sequence that already is not
     */
    static int checkUtf8(byte[] b, int from, int end) {
        int i = from;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            int more;
            int low = 0x80;
            int high = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                if (c == 0xE0) {
                    low = 0xA0;
                } else if (c == 0xED) {
                    high = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                if (c == 0xF0) {
                    low = 0x90;
                } else if (c == 0xF4) {
                    high = 0x8F;
                }
            } else {
                return -1;
            }
            for (int k = 1; k <= more; k++) {
                if (i + k >= end) {
                    return i;
                }
                int d = b[i + k] & 0xFF;
                if (k == 1 ? d < low || d > high : d < 0x80 || d > 0xBF) {
                    return -1;
                }
            }
            i += more + 1;
        }
        return end;
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket error: " + cause);
        synchronized (lock) {
            if (error == null) {
                error = new IOException("The WebSocket failed: " + cause.getMessage(), cause);
            }
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        // Called for the peer's close frame (onWebSocketFrame), then again by Jetty once closed.
        if (!closeNotified.compareAndSet(false, true)) {
            callback.succeed();
            return;
        }
        try {
            closed(statusCode, reason);
        } finally {
            callback.succeed();
        }
    }

    private void closed(int statusCode, String reason) {
        LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket closed: " + statusCode + " " + reason);
        String dropped = droppedBecause;
        IOException cause = new IOException(dropped != null ? dropped : TransportText.webSocketClosed(statusCode, reason));
        MessageReceiver r;
        synchronized (lock) {
            if (error != null) {
                cause.addSuppressed(error);
            }
            error = cause;
            receivingStopped = true;
            closeRequested = true;
            outgoing.clear();
            queuedBytes = 0;
            r = receiverNotified ? null : receiver;
            if (r != null) {
                receiverNotified = true;
            }
        }
        try {
            if (r != null) {
                r.onClosed(cause);
            }
        } finally {
            stopKeepalive();
            ended.complete(null);
            onEnd.accept(this);
        }
    }

    /**
     * Refuses the connection for a reason of the transport's own: sends an {@code abort}, tells
     * the engine, then closes. Frames that arrive afterwards are ignored.
     */
    private void refuse(String message, int code) {
        MessageReceiver r;
        IOException cause = new IOException(message);
        synchronized (lock) {
            if (receivingStopped) {
                return;
            }
            receivingStopped = true;
            if (!closeRequested) {
                String abort = TransportText.abortMessage(message);
                outgoing.add(new Outgoing(abort, TransportText.utf8Length(abort)));
            }
            error = cause;
            r = receiverNotified ? null : receiver;
            if (r != null) {
                receiverNotified = true;
            }
        }
        requestClose(code, message);
        if (r != null) {
            r.onClosed(cause);
        }
    }

    /** A queued message and its length in UTF-8, counted once. */
    private record Outgoing(String text, long bytes) {
    }

    /** Writes what is queued, up to {@link #MAX_BATCH} frames a write, then the close frame if one was asked for. */
    private final class Flusher extends IteratingCallback {
        private long inFlightBytes;

        @Override
        protected Action process() {
            List<String> batch = null;
            Session s;
            int code = 0;
            String reason = null;
            synchronized (lock) {
                queuedBytes -= inFlightBytes;
                inFlightBytes = 0;
                s = session;
                if (s != null && !outgoing.isEmpty()) {
                    // Everything queued goes out together (the engine flushes once per burst
                    // of answers), in one write instead of one each.
                    batch = new ArrayList<>(Math.min(outgoing.size(), MAX_BATCH));
                    Outgoing next;
                    while (batch.size() < MAX_BATCH && (next = outgoing.poll()) != null) {
                        batch.add(next.text());
                        inFlightBytes += next.bytes();
                    }
                } else {
                    if (!closeRequested || closeSent || s == null) {
                        return closeSent ? Action.SUCCEEDED : Action.IDLE;
                    }
                    closeSent = true;
                    code = closeCode;
                    reason = closeReason;
                }
            }
            if (batch != null) {
                AtomicInteger remaining = new AtomicInteger(batch.size());
                AtomicBoolean failed = new AtomicBoolean();
                org.eclipse.jetty.util.Callback done = org.eclipse.jetty.util.Callback.from(() -> {
                    if (remaining.decrementAndGet() == 0 && !failed.get()) {
                        succeeded();
                    }
                }, x -> {
                    if (failed.compareAndSet(false, true)) {
                        failed(x);
                    }
                });
                // Through the core session (Jetty's sessions are all WebSocketSession), every
                // frame but the last marked as batched: Jetty then writes the burst at once
                // instead of a system call per frame.
                CoreSession core = ((WebSocketSession) s).getCoreSession();
                for (int i = 0, n = batch.size(); i < n; i++) {
                    String sent = batch.get(i);
                    LOG.log(System.Logger.Level.TRACE, () -> "sending " + sent);
                    core.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.TEXT, sent), done, i < n - 1);
                }
            } else {
                s.close(code, reason, Callback.from(this::succeeded, this::failed));
            }
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket write failed: " + cause);
            synchronized (lock) {
                outgoing.clear();
                queuedBytes = 0;
                closeRequested = true;
            }
        }
    }
}
