package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportClientFuzzTest;

/** The shared client fuzz suite, run over Jetty with the real engine. */
class JettyTransportClientFuzzTest extends TransportClientFuzzTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
