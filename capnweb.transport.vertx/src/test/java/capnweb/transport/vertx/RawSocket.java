package capnweb.transport.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain Vert.x WebSocket client for tests: what arrives lands in a queue. */
final class RawSocket implements AutoCloseable {
    final ClientWebSocket socket;
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closeCode = new CompletableFuture<>();
    private final WebSocketClient client;

    private RawSocket(Vertx vertx) {
        client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
        socket = client.webSocket();
        socket.textMessageHandler(texts::add);
        socket.closeHandler(v -> closeCode.complete(socket.closeStatusCode()));
    }

    /** Opens a socket to the WebSocket twin of {@code httpUri}. */
    static RawSocket open(Vertx vertx, URI httpUri) throws Exception {
        RawSocket raw = new RawSocket(vertx);
        try {
            raw.socket.connect(new WebSocketConnectOptions().setAbsoluteURI(webSocketUri(httpUri).toString()))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // Vert.x applies the handlers set above once the handshake completes, and each throws
            // "WebSocket is closed" if the server's close came in the same read as its 101. The
            // socket did open, and its close code and reason are there to read.
            if (!(e.getCause() instanceof IllegalStateException) || !raw.socket.isClosed()) {
                throw e;
            }
            raw.closeCode.complete(raw.socket.closeStatusCode());
        }
        return raw;
    }

    /** @return the WebSocket twin ({@code ws:}) of a server's {@code http:} URI */
    static URI webSocketUri(URI httpUri) {
        return URI.create("ws" + httpUri.toString().substring(4));
    }

    String next() throws InterruptedException {
        String s = texts.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no message arrived within 5 seconds");
        }
        return s;
    }

    short awaitClose() throws Exception {
        return closeCode.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        client.close();
    }
}
