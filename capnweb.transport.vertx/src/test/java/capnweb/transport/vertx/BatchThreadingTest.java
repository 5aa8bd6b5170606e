package capnweb.transport.vertx;

import capnweb.api.spi.TransportProvider;
import capnweb.transport.testkit.TransportBatchThreadingTest;

/** The shared batch threading checks over Vert.x: the worker that serves the batch, or the event
 * loop with {@code directExecutor()}. */
class BatchThreadingTest extends TransportBatchThreadingTest {

    @Override
    protected TransportProvider provider() {
        return new VertxTransportProvider();
    }

    @Override
    protected String servingThreadPrefix() {
        return "vert.x-worker-thread";
    }

    @Override
    protected String directServingThreadPrefix() {
        return "vert.x-eventloop-thread";
    }
}
