package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportLoadTest;

/** The shared load suite, run over Vert.x with the real engine. */
class VertxTransportLoadTest extends TransportLoadTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
