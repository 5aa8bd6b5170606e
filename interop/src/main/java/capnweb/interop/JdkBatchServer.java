package capnweb.interop;

import capnweb.api.CapnWeb;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * HTTP batch sessions on the JDK's own HTTP server ({@code jdk.httpserver}), which no transport
 * of this project runs, through {@link CapnWeb#serveBatch}: how Cap'n Web mounts on any HTTP
 * server. The README's example of it.
 */
public final class JdkBatchServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers;

    private JdkBatchServer(HttpServer server, ExecutorService handlers) {
        this.server = server;
        this.handlers = handlers;
    }

    /**
     * Serves POST {@code /rpc} on 127.0.0.1.
     *
     * @param port the port, 0 for a free one
     * @param mainFactory makes the main object of each batch
     * @param maxBodyBytes the largest body read; a larger one is answered 413 unread
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    public static JdkBatchServer start(int port, Supplier<Object> mainFactory, int maxBodyBytes) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        // serveBatch runs the batch on the calling thread, which may block in target methods:
        // a pool, not the server's one dispatcher thread.
        ExecutorService handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/rpc", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    respond(exchange, 405, "This endpoint only accepts POST requests.");
                    return;
                }
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readNBytes(maxBodyBytes + 1);
                }
                if (body.length > maxBodyBytes) {
                    respond(exchange, 413, "The batch is larger than " + maxBodyBytes + " bytes.");
                    return;
                }
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
                } catch (CharacterCodingException e) {
                    respond(exchange, 400, "The batch is not UTF-8.");
                    return;
                }
                respond(exchange, 200, CapnWeb.serveBatch(text, mainFactory.get()).toCompletableFuture().join());
            }
        });
        server.start();
        return new JdkBatchServer(server, handlers);
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** @return the port it listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
