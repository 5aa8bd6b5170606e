package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportConformanceTest;

/** The shared transport conformance suite, run over Jetty with the real engine. */
class JettyTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
