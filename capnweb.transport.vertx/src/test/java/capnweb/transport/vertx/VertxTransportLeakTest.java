package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportLeakTest;

/** The shared leak suite, run over Vert.x with the real engine. */
class VertxTransportLeakTest extends TransportLeakTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
