package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportProxyTest;

/** The shared proxy suite, run over Vert.x with the real engine. */
class VertxTransportProxyTest extends TransportProxyTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
