package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportConformanceTest;

/** The shared transport conformance suite, run unchanged over the Vert.x transport. */
class VertxTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
