package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportSessionRequestTest;

/** The shared suite of main object factories that see the request, run over Jetty with the real engine. */
class JettyTransportSessionRequestTest extends TransportSessionRequestTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }
}
