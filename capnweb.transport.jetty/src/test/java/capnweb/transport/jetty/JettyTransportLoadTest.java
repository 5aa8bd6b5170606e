package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportLoadTest;

/** The shared load suite, run over Jetty with the real engine. */
class JettyTransportLoadTest extends TransportLoadTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
