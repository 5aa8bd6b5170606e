package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportWireFuzzTest;

/** The shared hostile HTTP and WebSocket suite, run over Vert.x with the real engine. */
class VertxTransportWireFuzzTest extends TransportWireFuzzTest {

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
