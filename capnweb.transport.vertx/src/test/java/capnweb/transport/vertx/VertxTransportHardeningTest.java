package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportHardeningTest;
import java.time.Duration;

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
}
