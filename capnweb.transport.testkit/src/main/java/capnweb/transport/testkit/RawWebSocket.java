package capnweb.transport.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client that speaks raw frames, built on the JDK's {@code java.net.http}, so that the
 * conformance suite can send what no Cap'n Web client would (garbage, binary frames, oversize
 * messages) and drop the connection abruptly. Independent of every transport under test.
 */
public final class RawWebSocket implements AutoCloseable {
    /** What the peer closed the socket with. */
    public record Close(int code, String reason) {
    }

    private static final Object ERROR = new Object();

    private final WebSocket socket;
    private final BlockingQueue<Object> events;
    private final CompletableFuture<Close> closed;

    private RawWebSocket(WebSocket socket, BlockingQueue<Object> events, CompletableFuture<Close> closed) {
        this.socket = socket;
        this.events = events;
        this.closed = closed;
    }

    /**
     * Opens a WebSocket.
     *
     * @param uri a {@code ws:} URI
     * @return the open socket
     */
    public static RawWebSocket open(URI uri) {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        CompletableFuture<Close> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    events.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                events.add(data);
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                Close c = new Close(statusCode, reason);
                events.add(c);
                closed.complete(c);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                events.add(ERROR);
                closed.complete(new Close(1006, String.valueOf(error)));
            }
        };
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener)
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        return new RawWebSocket(ws, events, closed);
    }

    /**
     * Sends one text frame.
     *
     * @param text the message
     * @return this socket
     */
    public RawWebSocket send(String text) {
        socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    /**
     * Sends one binary frame.
     *
     * @param bytes the payload
     * @return this socket
     */
    public RawWebSocket sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    /**
     * Waits for the next text message.
     *
     * @param timeout how long to wait
     * @return the message
     * @throws AssertionError if none came, or the socket closed first
     */
    public String nextText(Duration timeout) {
        Object e = nextEvent(timeout);
        if (e instanceof String) {
            return (String) e;
        }
        throw new AssertionError("Expected a text message but got " + describe(e));
    }

    /**
     * Waits for the next text message that starts with {@code prefix}, skipping others.
     *
     * @param prefix the start of the message wanted
     * @param timeout how long to wait in all
     * @return the message
     */
    public String nextTextStartingWith(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("No message starting with " + prefix + " within " + timeout);
            }
            String text = nextText(Duration.ofNanos(left));
            if (text.startsWith(prefix)) {
                return text;
            }
        }
    }

    /**
     * Waits until the peer closes the socket; messages before the close are skipped.
     *
     * @param timeout how long to wait
     * @return the close code and reason (1006 when the connection dropped)
     */
    public Close awaitClose(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** @return whether the peer has closed the socket */
    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the connection without a close frame, as a crashed peer would. */
    public void abort() {
        socket.abort();
    }

    /** Closes cleanly (code 1000) if still open, without waiting for the peer. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }
        socket.abort();
    }

    private Object nextEvent(Duration timeout) {
        try {
            Object e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("Nothing arrived within " + timeout);
            }
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for a message", ex);
        }
    }

    private static String describe(Object e) {
        if (e instanceof Close) {
            Close c = (Close) e;
            return "a close (" + c.code() + " " + c.reason() + ")";
        }
        if (e instanceof ByteBuffer) {
            return "a binary frame";
        }
        return e == ERROR ? "a connection error" : String.valueOf(e);
    }
}
