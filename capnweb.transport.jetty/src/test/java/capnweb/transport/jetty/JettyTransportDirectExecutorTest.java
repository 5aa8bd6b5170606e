package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportDirectExecutorTest;

/** The shared direct-execution suite, run over Jetty. */
class JettyTransportDirectExecutorTest extends TransportDirectExecutorTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }

    @Override
    protected String batchResponseThreadPrefix() {
        return "capnweb-jetty-client";
    }
}
