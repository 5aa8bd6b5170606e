package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportDirectExecutorTest;

/** The shared direct-execution suite, run over Vert.x. */
class VertxTransportDirectExecutorTest extends TransportDirectExecutorTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    @Override
    protected String batchResponseThreadPrefix() {
        return "vert.x-eventloop-thread";
    }
}
