package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A WebSocket client on a plain socket that writes frames byte for byte as told. */
final class RawPeer implements AutoCloseable {
    static final int TEXT = 1;
    static final int CONTINUATION = 0;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    RawPeer(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        out.write(("GET /rpc HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) read());
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
    }

    /** @return a masked frame with a short payload (under 126 bytes), as it goes on the wire */
    static byte[] frame(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        frame.write(0x80 | payload.length);
        byte[] mask = {1, 2, 3, 4};
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /** @return a final text frame, as it goes on the wire */
    static byte[] text(String text) {
        return frame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    void send(int opcode, boolean fin, byte[] payload) throws IOException {
        write(frame(opcode, fin, payload));
    }

    /** Writes bytes with one write to the socket. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** @return the payload of the next frame, which must have this opcode */
    byte[] expect(int opcode) throws IOException {
        int b0 = read();
        int length = read() & 0x7f;
        if (length == 126) {
            length = (read() << 8) | read();
        }
        byte[] payload = in.readNBytes(length);
        assertThat(b0 & 0x0f).as("opcode").isEqualTo(opcode);
        return payload;
    }

    /** @return the text of the next frame, which must be a text frame */
    String expectText() throws IOException {
        return new String(expect(TEXT), StandardCharsets.UTF_8);
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("The server closed the connection.");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
