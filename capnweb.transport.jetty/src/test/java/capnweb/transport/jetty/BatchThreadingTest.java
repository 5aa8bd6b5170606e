package capnweb.transport.jetty;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportBatchThreadingTest;

/** The shared batch threading checks over Jetty: a request thread of its pool. */
class BatchThreadingTest extends TransportBatchThreadingTest {

    @Override
    protected TransportProvider provider() {
        return new JettyTransportProvider();
    }

    @Override
    protected String servingThreadPrefix() {
        return "capnweb-jetty-server";
    }

    @Override
    protected String directServingThreadPrefix() {
        return "capnweb-jetty-server";
    }
}
