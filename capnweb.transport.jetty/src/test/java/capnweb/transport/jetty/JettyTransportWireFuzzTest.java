package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportWireFuzzTest;

/** The shared hostile HTTP and WebSocket suite, run over Jetty with the real engine. */
class JettyTransportWireFuzzTest extends TransportWireFuzzTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
