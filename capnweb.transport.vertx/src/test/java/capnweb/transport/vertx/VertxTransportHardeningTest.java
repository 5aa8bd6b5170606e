package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportHardeningTest;

/** The shared fault and hostile-peer suite, run over Vert.x with the real engine. */
class VertxTransportHardeningTest extends TransportHardeningTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
