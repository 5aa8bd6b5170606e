package capnweb.transport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server that accepts a WebSocket upgrade and then falls silent: it never reads or writes
 * again, not even a pong, as a machine that vanished behind a live TCP connection would seem to
 * its clients. Closing it closes every connection.
 */
public final class SilentWebSocketServer implements AutoCloseable {
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private SilentWebSocketServer(ServerSocket listener) {
        this.listener = listener;
    }

    /**
     * Starts listening on 127.0.0.1, on a free port.
     *
     * @return the server
     * @throws IOException if it cannot listen
     */
    public static SilentWebSocketServer start() throws IOException {
        SilentWebSocketServer server = new SilentWebSocketServer(
                new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread acceptor = new Thread(server::acceptAll, "silent-websocket-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** @return the WebSocket endpoint, {@code ws://127.0.0.1:PORT/rpc} */
    public URI uri() {
        return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/rpc");
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.add(socket);
                upgrade(socket);
            } catch (IOException e) {
                // closed, or a client that went away during its handshake
            }
        }
    }

    private static void upgrade(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("The client closed during its handshake.");
            }
            head.append((char) b);
        }
        String key = null;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        if (key == null) {
            throw new IOException("Not a WebSocket upgrade: " + head);
        }
        socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no SHA-1", e);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }
}
