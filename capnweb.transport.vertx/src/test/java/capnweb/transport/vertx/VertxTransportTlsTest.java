package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportTlsTest;

/** The shared TLS suite, run over Vertx with the real engine. */
class VertxTransportTlsTest extends TransportTlsTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }
}
