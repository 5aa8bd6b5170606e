package capnweb.transport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * A server on a plain socket that answers each connection as a test scripts it, however wrong:
 * for clients facing a server that falls silent or sends what no real server would. Closing it
 * closes every connection.
 */
public final class RawServer implements AutoCloseable {
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** What the server does with each connection, on a thread of its own. */
    private interface Script {
        void run(Socket socket) throws IOException;
    }

    private final ServerSocket listener;
    private final Script script;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private RawServer(ServerSocket listener, Script script) {
        this.listener = listener;
        this.script = script;
    }

    /**
     * A server that accepts a WebSocket upgrade and then falls silent: it never reads or writes
     * again, not even a pong, as a machine that vanished behind a live TCP connection would seem
     * to its clients.
     *
     * @return the running server
     * @throws IOException if it cannot listen
     */
    public static RawServer silentWebSocket() throws IOException {
        return start(RawServer::upgrade);
    }

    /**
     * A server that accepts a WebSocket upgrade, sends {@code bytes} (frames of the test's
     * making), then reads and drops whatever the client sends until it closes.
     *
     * @param bytes what to send after the 101
     * @return the running server
     * @throws IOException if it cannot listen
     */
    public static RawServer webSocketSending(byte[] bytes) throws IOException {
        return start(socket -> {
            upgrade(socket);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
    }

    /**
     * A server that answers a WebSocket upgrade with {@code head} (given the accept value a valid
     * 101 would carry; it may be anything), waits for the client's first {@code framesAwaited}
     * frames (two seconds at most), sends {@code frames}, ends its side of the connection, and
     * reads and drops whatever the client sends until it closes.
     *
     * @param head what to answer the upgrade with, made from the valid accept value
     * @param framesAwaited how many of the client's frames to wait for before sending
     * @param frames what to send then
     * @return the running server
     * @throws IOException if it cannot listen
     */
    public static RawServer webSocketAnswering(java.util.function.Function<String, byte[]> head, int framesAwaited,
            byte[] frames) throws IOException {
        return start(socket -> {
            String request = readHead(socket.getInputStream());
            String key = "";
            for (String line : request.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            socket.getOutputStream().write(head.apply(accept(key)));
            socket.getOutputStream().flush();
            socket.setSoTimeout(2_000);
            try {
                for (int i = 0; i < framesAwaited; i++) {
                    skipFrame(socket.getInputStream());
                }
            } catch (java.net.SocketTimeoutException e) {
                // the client sent fewer: answer anyway
            }
            socket.setSoTimeout(0);
            socket.getOutputStream().write(frames);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
    }

    /** Reads past one frame of a client's. */
    private static void skipFrame(InputStream in) throws IOException {
        java.io.DataInputStream data = new java.io.DataInputStream(in);
        data.readUnsignedByte();
        int second = data.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = data.readUnsignedShort();
        } else if (length == 127) {
            length = data.readLong();
        }
        in.skipNBytes(length + ((second & 0x80) != 0 ? 4 : 0));
    }

    /**
     * A server that reads each HTTP request (its head, and a body of the length it declares) and
     * answers it with {@code answer} as it is, then closes the connection.
     *
     * @param answer the whole answer: status line, headers and body
     * @return the running server
     * @throws IOException if it cannot listen
     */
    public static RawServer answeringHttp(byte[] answer) throws IOException {
        return start(socket -> {
            String head = readHead(socket.getInputStream());
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    socket.getInputStream().readNBytes(Integer.parseInt(line.substring(15).trim()));
                }
            }
            socket.getOutputStream().write(answer);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
    }

    private static RawServer start(Script script) throws IOException {
        RawServer server = new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), script);
        Thread acceptor = new Thread(server::acceptAll, "raw-test-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** @return the WebSocket endpoint, {@code ws://127.0.0.1:PORT/rpc} */
    public URI uri() {
        return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/rpc");
    }

    /** @return the HTTP batch endpoint, {@code http://127.0.0.1:PORT/rpc} */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/rpc");
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.add(socket);
                Thread serving = new Thread(() -> {
                    try {
                        script.run(socket);
                    } catch (IOException e) {
                        // closed, or a client that went away
                    }
                }, "raw-test-server-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    /**
     * @return a request's head up to and with its blank line, read as Latin-1
     * @throws IOException if the connection ends first
     */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("The client closed within its request's head.");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static void upgrade(Socket socket) throws IOException {
        String head = readHead(socket.getInputStream());
        String key = null;
        for (String line : head.split("\r\n")) {
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
