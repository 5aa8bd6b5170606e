package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import capnweb.api.SessionOptions;
import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.PlainWebSocket;
import capnweb.transport.testkit.TransportHardeningTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared fault and hostile-peer suite, run over Vert.x with the real engine. */
class VertxTransportHardeningTest extends TransportHardeningTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    @Test
    void connectionOfAnAbortedPeerThatNeverReadsIsDroppedAfterTheGracePeriod() throws Exception {
        RpcServer server = startServer(b -> b.sessionOptions(SessionOptions.builder().maxQueuedBytes(1024 * 1024).build()));
        try (PlainWebSocket raw = fillTheQueueOfAPeerThatNeverReads(server)) {
            long aborted = System.nanoTime();
            await("the server dropped the connection", Duration.ofSeconds(15), () -> server.openSessions() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - aborted))
                    .isLessThan(WebSocketTransport.ABORT_GRACE.plusSeconds(3));
            // The client side sees the connection end.
            assertThat(raw.awaitEndOfStream(Duration.ofSeconds(10))).isTrue();
        }
    }
}
