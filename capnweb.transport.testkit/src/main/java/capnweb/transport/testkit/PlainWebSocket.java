package capnweb.transport.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain blocking socket, with no thread and no buffer of its own: for
 * peers that misbehave at the TCP level (one that never reads what the server sends) and for
 * holding many idle connections cheaply. It speaks just enough RFC 6455: the opening handshake,
 * masked text frames out, unfragmented frames in.
 */
public final class PlainWebSocket implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private PlainWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and completes the opening handshake.
     *
     * @param uri a {@code ws:} URI on the loopback interface
     * @param receiveBufferBytes the socket's receive buffer, 0 for the system's default; a small
     *     one makes a peer that never reads fill up sooner
     * @return the open WebSocket
     * @throws IOException if connecting or the handshake failed
     */
    public static PlainWebSocket open(URI uri, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        try {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(10_000);
            PlainWebSocket ws = new PlainWebSocket(socket);
            ws.handshake(uri);
            return ws;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void handshake(URI uri) throws IOException {
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("The server closed the connection during the WebSocket handshake: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            // The answer's body, of the length it declares, says why.
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)")
                    .matcher(head);
            String body = length.find()
                    ? new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8) : "";
            throw new IOException("The server refused the WebSocket upgrade: " + head + body);
        }
    }

    /**
     * Sends one masked text frame.
     *
     * @param text the message
     * @throws IOException if writing failed
     */
    public void sendText(String text) throws IOException {
        sendTexts(List.of(text));
    }

    /**
     * Sends masked text frames, one per message, in a single write: they reach the server as one
     * burst, as from a client with many calls in flight.
     *
     * @param texts the messages
     * @throws IOException if writing failed
     */
    public void sendTexts(Iterable<String> texts) throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (String text : texts) {
            writeFrame(frames, text.getBytes(StandardCharsets.UTF_8));
        }
        out.write(frames.toByteArray());
        out.flush();
    }

    private static void writeFrame(ByteArrayOutputStream frames, byte[] payload) {
        frames.writeBytes(frame(0x81, payload, true));
    }

    /**
     * One whole frame, its length in the shortest form.
     *
     * @param firstByte the FIN bit, reserved bits and opcode, e.g. {@code 0x81} for a final text frame
     * @param payload the payload
     * @param masked whether to mask it with a random key, as a client must; a server must not
     * @return the frame's bytes
     */
    public static byte[] frame(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
            frame.write(mask, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /**
     * Reads frames until the server's close frame, skipping the others.
     *
     * @param timeout how long to wait for each frame
     * @return the close frame's code, 1005 if it carried none, or -1 if the stream ended first
     * @throws IOException if reading failed or nothing came in time
     */
    public int readCloseCode(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return -1;
            }
            byte[] payload = in.readNBytes((int) readLength());
            if ((b0 & 0x0f) == 8) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        }
    }

    /** The payload length that follows a frame's first byte (servers do not mask). */
    private long readLength() throws IOException {
        long length = readByte() & 0x7f;
        if (length == 126) {
            length = ((long) readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        return length;
    }

    /**
     * Reads the next frame: a text frame's text, or null for a close frame or the end of the
     * stream.
     *
     * @param timeout how long to wait
     * @return the text, or null once the server closed
     * @throws IOException if reading failed or nothing came in time
     */
    public String readText(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            byte[] payload = in.readNBytes((int) readLength());
            int opcode = b0 & 0x0f;
            if (opcode == 8) {
                return null;
            }
            if (opcode == 1) {
                return new String(payload, StandardCharsets.UTF_8);
            }
            // ping, pong, binary: skipped
        }
    }

    /**
     * Waits until the server closes the TCP connection, discarding what arrives before.
     *
     * @param timeout how long to wait
     * @return whether it closed in time
     */
    public boolean awaitEndOfStream(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[64 * 1024];
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout(200);
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    // keep waiting
                }
            }
            return false;
        } catch (IOException e) {
            // A reset is an end too.
            return true;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("The connection ended inside a WebSocket frame.");
        }
        return b;
    }

    /**
     * Sends bytes as they are, frames of one's own making or not frames at all.
     *
     * @param bytes what to send
     * @throws IOException if writing failed
     */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Ends the stream toward the server (a TCP half-close), as a peer that has nothing more to
     * send; what the server sends can still be read.
     *
     * @throws IOException if the socket is closed
     */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Drops the connection with a TCP reset, as a crashed peer would. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Closes the socket without a WebSocket close frame. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
