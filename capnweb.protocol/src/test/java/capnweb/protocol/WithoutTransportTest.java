package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.CapnWeb;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.ProviderRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the API does with the engine alone, no transport on the path (as in this module's tests):
 * a batch client posting straight into {@code CapnWeb.serveBatch}.
 */
class WithoutTransportTest {

    @Test
    void noTransportIsOnThisModulesPath() {
        assertThat(ProviderRegistry.load().transports()).isEmpty();
        assertThatThrownBy(CapnWeb::transportName).hasMessageContaining("No Cap'n Web transport found");
    }

    @Test
    void aBatchSessionPostsIntoServeBatchAndPipelinesInOneRequest() {
        AtomicInteger posts = new AtomicInteger();
        RpcSession session = CapnWeb.newBatchSession(body -> {
            posts.incrementAndGet();
            return CapnWeb.serveBatch(body, new TestTargets.TestTarget());
        }, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub api = session.main();
        RpcPromise counter = api.call("makeCounter", 2);
        RpcPromise five = counter.call("increment", 3);
        RpcPromise fib = api.call("generateFibonacci", 4).map(x -> api.call("square", x));
        assertThat(session.whenAll(five, fib).join()).isEqualTo(List.of(5L, List.of(0L, 1L, 1L, 4L)));
        assertThat(posts).hasValue(1);
    }
}
