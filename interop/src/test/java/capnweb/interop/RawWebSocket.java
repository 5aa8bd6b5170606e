package capnweb.interop;

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

/** A WebSocket client that sends and receives raw protocol frames, with no Cap'n Web in between. */
final class RawWebSocket implements WebSocket.Listener, AutoCloseable {
    /** What the server sent, in order: text frames, then "CLOSED code reason" or "ERROR ...". */
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static RawWebSocket connect(int port) throws Exception {
        RawWebSocket raw = new RawWebSocket();
        raw.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/rpc"), raw)
                .get(10, TimeUnit.SECONDS);
        return raw;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            received.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        received.add("BINARY " + data.remaining());
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        String what = "CLOSED " + statusCode + " " + reason;
        received.add(what);
        closed.complete(what);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        String what = "ERROR " + error;
        received.add(what);
        closed.complete(what);
    }

    void sendText(String frame) throws Exception {
        socket.sendText(frame, true).get(30, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] frame) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(frame), true).get(30, TimeUnit.SECONDS);
    }

    /** The next thing the server sent, or null if nothing came within {@code timeout}. */
    String next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
