package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.NetworkTrafficListener;
import org.eclipse.jetty.server.NetworkTrafficServerConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The answers to frames that arrive together are written together: a burst read at once is
 * answered with a few writes, not one per frame, yet nothing is held for long when the burst
 * does not end at once (a frame read in part, or a delivering thread held up).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BurstWriteTest {
    private static final int FRAMES = 64;

    private final FakeEngine engine = new FakeEngine();
    /** Buffers the server handed to the socket: one or a few per write. */
    private final AtomicInteger writes = new AtomicInteger();
    private Server server;
    private int port;

    private void start(boolean flushSoon) throws Exception {
        engine.flushSoon = flushSoon;
        server = new Server();
        NetworkTrafficServerConnector connector = new NetworkTrafficServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setNetworkTrafficListener(new NetworkTrafficListener() {
            @Override
            public void outgoing(Socket socket, ByteBuffer bytes) {
                writes.incrementAndGet();
            }
        });
        server.addConnector(connector);
        server.setHandler(CapnWebHandler.builder(Object::new).engine(engine).build());
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        engine.unblock.countDown();
        server.stop();
    }

    /** @return a raw peer whose session has started */
    private RawPeer connect() throws Exception {
        RawPeer peer = new RawPeer(port);
        engine.nextSession();
        return peer;
    }

    /** Sends {@link #FRAMES} text frames with one write, reads their answers and counts the server's writes. */
    private int writesToAnswerABurst() throws Exception {
        try (RawPeer peer = connect()) {
            writes.set(0);
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < FRAMES; i++) {
                burst.write(RawPeer.text("m" + i));
            }
            peer.write(burst.toByteArray());
            for (int i = 0; i < FRAMES; i++) {
                assertThat(peer.expectText()).isEqualTo("echo:m" + i);
            }
            return writes.get();
        }
    }

    @Test
    void answersToABurstAreWrittenTogether() throws Exception {
        start(true);
        assertThat(writesToAnswerABurst()).isLessThan(FRAMES / 4);
    }

    @Test
    void aTransportFlushedAtOnceWritesEachAnswer() throws Exception {
        // The same burst, answered with flush(): shows that the count above sees each write.
        start(false);
        assertThat(writesToAnswerABurst()).isGreaterThanOrEqualTo(FRAMES);
    }

    @Test
    void heldAnswersAreWrittenWhileTheDeliveringThreadIsHeldUp() throws Exception {
        start(true);
        try (RawPeer peer = connect()) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.write(RawPeer.text("first"));
            burst.write(RawPeer.text("block"));
            burst.write(RawPeer.text("last"));
            peer.write(burst.toByteArray());
            // "block" holds Jetty's thread (as a slow target method would) with "last" still
            // unread behind it; the answer to "first" must not wait for it.
            assertThat(peer.expectText()).isEqualTo("echo:first");
            engine.unblock.countDown();
            assertThat(peer.expectText()).isEqualTo("echo:last");
        }
    }

    @Test
    void heldAnswersAreWrittenWhenTheLastFrameArrivesInPart() throws Exception {
        start(true);
        try (RawPeer peer = connect()) {
            byte[] second = RawPeer.text("second");
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.write(RawPeer.text("first"));
            burst.write(second, 0, 4);
            peer.write(burst.toByteArray());
            assertThat(peer.expectText()).isEqualTo("echo:first");
            peer.write(Arrays.copyOfRange(second, 4, second.length));
            assertThat(peer.expectText()).isEqualTo("echo:second");
        }
    }

    @Test
    void aPeerThatPadsItsFrameLengthsIsStillAnswered() throws Exception {
        // Lengths under 126 sent in the 16-bit form: the wire size is 2 bytes more than the count
        // assumes, so the count stays behind and every answer waits for the deadline.
        start(true);
        try (RawPeer peer = connect()) {
            long held = BurstDeadline.SCHEDULED.get();
            for (int i = 0; i < 5; i++) {
                byte[] payload = ("m" + i).getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream frame = new ByteArrayOutputStream();
                frame.write(0x81);
                frame.write(0x80 | 126);
                frame.write(0);
                frame.write(payload.length);
                frame.write(new byte[4]); // a zero mask leaves the payload as it is
                frame.write(payload);
                peer.write(frame.toByteArray());
                assertThat(peer.expectText()).isEqualTo("echo:m" + i);
            }
            assertThat(BurstDeadline.SCHEDULED.get()).as("answers written by the deadline").isGreaterThan(held);
        }
    }

    @Test
    void loneFramesAreAnsweredWithoutBeingHeld() throws Exception {
        start(true);
        try (RawPeer peer = connect()) {
            long held = BurstDeadline.SCHEDULED.get();
            writes.set(0);
            for (int i = 0; i < 20; i++) {
                peer.write(RawPeer.text("m" + i));
                assertThat(peer.expectText()).isEqualTo("echo:m" + i);
            }
            assertThat(BurstDeadline.SCHEDULED.get()).as("writes left to the deadline").isEqualTo(held);
            assertThat(writes.get()).isGreaterThanOrEqualTo(20);
        }
    }
}
