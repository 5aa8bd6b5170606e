package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportHttpFuzzTest;

/** The shared hostile-HTTP suite, run over Vertx with the real engine. */
class VertxTransportHttpFuzzTest extends TransportHttpFuzzTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    /** Vert.x answers a malformed upgrade to HTTP/2 in clear text itself, with an empty 400. */
    @Override
    protected boolean mayRefuseWithoutBody(String request) {
        return request.toLowerCase(java.util.Locale.ROOT).contains("\r\nupgrade: h2c");
    }
}
