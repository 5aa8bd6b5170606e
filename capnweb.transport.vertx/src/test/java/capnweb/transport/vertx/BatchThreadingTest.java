package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportBatchThreadingTest;

/** The shared batch threading checks over Vert.x: the worker that serves the batch. */
class BatchThreadingTest extends TransportBatchThreadingTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    @Override
    protected String servingThreadPrefix() {
        return "vert.x-worker-thread";
    }
}
