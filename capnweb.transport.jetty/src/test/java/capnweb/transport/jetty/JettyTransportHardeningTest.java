package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportHardeningTest;

/** The shared fault and hostile-peer suite, run over Jetty with the real engine. */
class JettyTransportHardeningTest extends TransportHardeningTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
