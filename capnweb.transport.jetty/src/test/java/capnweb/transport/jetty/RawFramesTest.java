package capnweb.transport.jetty;

import static capnweb.transport.jetty.RawPeer.CLOSE;
import static capnweb.transport.jetty.RawPeer.CONTINUATION;
import static capnweb.transport.jetty.RawPeer.PING;
import static capnweb.transport.jetty.RawPeer.PONG;
import static capnweb.transport.jetty.RawPeer.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frame-level behaviour of the WebSocket transport, which reads frames itself: text split
 * anywhere (even inside a character) arrives whole, invalid UTF-8 closes with 1007, pings are
 * answered, and a peer's close is answered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RawFramesTest {

    private final FakeEngine engine = new FakeEngine();
    private Server server;
    private CapnWebHandler rpc;
    private int port;

    @BeforeEach
    void start() throws Exception {
        rpc = CapnWebHandler.builder(Object::new).engine(engine).build();
        server = LoopbackServer.start(rpc);
        port = LoopbackServer.port(server);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void textSplitInsideCharactersArrivesWhole() throws Exception {
        String text = "a\u00e9\u20ac\uD83D\uDE00z";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (RawPeer peer = new RawPeer(port)) {
            peer.send(TEXT, false, Arrays.copyOfRange(bytes, 0, 2));
            peer.send(CONTINUATION, false, Arrays.copyOfRange(bytes, 2, 5));
            peer.send(CONTINUATION, false, Arrays.copyOfRange(bytes, 5, 8));
            peer.send(CONTINUATION, true, Arrays.copyOfRange(bytes, 8, bytes.length));
            assertThat(peer.expect(TEXT)).isEqualTo(("echo:" + text).getBytes(StandardCharsets.UTF_8));
            // The next message starts afresh.
            peer.send(TEXT, true, "x".getBytes(StandardCharsets.UTF_8));
            assertThat(peer.expect(TEXT)).isEqualTo("echo:x".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void invalidUtf8ClosesWithBadPayload() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.send(TEXT, true, new byte[] {'a', (byte) 0xFF});
            assertThat(closeCode(peer.expect(CLOSE))).isEqualTo(1007);
        }
    }

    @Test
    void invalidUtf8ClosesBeforeTheMessageIsComplete() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.send(TEXT, false, new byte[] {'a', (byte) 0xE0, (byte) 0x80});
            assertThat(closeCode(peer.expect(CLOSE))).isEqualTo(1007);
        }
    }

    @Test
    void aMessageEndingInsideACharacterClosesWithBadPayload() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.send(TEXT, false, new byte[] {'a', (byte) 0xE2});
            peer.send(CONTINUATION, true, new byte[] {(byte) 0x82});
            assertThat(closeCode(peer.expect(CLOSE))).isEqualTo(1007);
        }
    }

    @Test
    void pingsAreAnsweredAndMessagesStillFlow() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.send(PING, true, "hi".getBytes(StandardCharsets.UTF_8));
            assertThat(peer.expect(PONG)).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
            peer.send(PONG, true, new byte[0]);
            peer.send(TEXT, true, "m".getBytes(StandardCharsets.UTF_8));
            assertThat(peer.expect(TEXT)).isEqualTo("echo:m".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aPeersCloseIsAnsweredAndEndsTheSession() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.send(TEXT, true, "m".getBytes(StandardCharsets.UTF_8));
            assertThat(peer.expect(TEXT)).isEqualTo("echo:m".getBytes(StandardCharsets.UTF_8));
            assertThat(rpc.openSessions()).isEqualTo(1);
            peer.send(CLOSE, true, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'});
            assertThat(closeCode(peer.expect(CLOSE))).isEqualTo(1000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rpc.openSessions() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(rpc.openSessions()).isZero();
        }
    }

    private static int closeCode(byte[] payload) {
        return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }
}
