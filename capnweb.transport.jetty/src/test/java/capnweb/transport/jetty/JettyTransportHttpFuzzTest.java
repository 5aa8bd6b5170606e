package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportHttpFuzzTest;

/** The shared hostile-HTTP suite, run over Jetty with the real engine. */
class JettyTransportHttpFuzzTest extends TransportHttpFuzzTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
