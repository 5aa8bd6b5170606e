package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportClientFuzzTest;

/** The shared client fuzz suite, run over Vert.x with the real engine. */
class VertxTransportClientFuzzTest extends TransportClientFuzzTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
