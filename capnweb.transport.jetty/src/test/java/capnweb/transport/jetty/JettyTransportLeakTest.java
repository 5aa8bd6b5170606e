package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportLeakTest;

/** The shared leak suite, run over Jetty with the real engine. */
class JettyTransportLeakTest extends TransportLeakTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
