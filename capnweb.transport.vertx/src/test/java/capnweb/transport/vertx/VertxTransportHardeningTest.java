package capnweb.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.RawHttp;
import capnweb.transport.testkit.TransportHardeningTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The shared fault and hostile-peer suite, run over Vert.x with the real engine. */
class VertxTransportHardeningTest extends TransportHardeningTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    @Override
    protected Duration abortGrace() {
        return WebSocketTransport.ABORT_GRACE;
    }

    @Test
    void aRefusedBatchLeavesTheOtherBatchesOfItsHttp2ConnectionAlone() {
        // The JDK's client multiplexes its requests over one HTTP/2 connection, which Vert.x
        // offers (cleartext upgrade). A refusal that closed the connection, to stop the rest of
        // the refused body, cut off every other batch on it.
        RpcServer server = startServer(b -> b.maxSessions(1));
        CompletableFuture<RawHttp.Response> slowBatch = CompletableFuture.supplyAsync(
                () -> RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"block\"],[]]]\n[\"pull\",1]"));
        await("the batch's call is blocked", WAIT, () -> state.blocked.get() == 1);

        RawHttp.Response refused = RawHttp.post(server.uri(), "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]");

        assertThat(refused.status()).isEqualTo(503);
        state.unblock.countDown();
        assertThat(slowBatch).succeedsWithin(WAIT).satisfies(r -> assertThat(r.body()).isEqualTo(
                "[\"resolve\",1,\"released\"]"));
    }
}
