package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SessionOptions.trackStubLeaks: where unclosed stubs were made, reported when the session ends. */
@Timeout(10)
class LeakTrackingTest {

    public static final class Api implements RpcTarget {
        public Counter makeCounter() {
            return new Counter();
        }

        public Object callBack(RpcFunction f) throws Exception {
            return f.apply(2);
        }

        public long square(long x) {
            return x * x;
        }
    }

    public static final class Counter implements RpcTarget {
        public long value() {
            return 1;
        }
    }

    private static Harness tracked() {
        SessionOptions options = SessionOptions.builder().trackStubLeaks(true).build();
        return new Harness(new Api(), Undefined.INSTANCE, options, options);
    }

    @Test
    void stubNeverClosedIsReportedWithWhereItWasMade() {
        Harness h = tracked();
        Object counter = h.main.call("makeCounter").join();
        assertThat(counter).isInstanceOf(RpcStub.class);
        h.main.close();
        h.settle();
        List<String> open = h.client.unclosedStubs();
        assertThat(open).hasSize(1);
        assertThat(open.get(0)).startsWith("RpcStub (never closed), created or received")
                .contains(LeakTrackingTest.class.getName() + ".stubNeverClosedIsReportedWithWhereItWasMade");
        h.close();
        // The report is made before closed() completes.
        assertThat(h.client.closed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
        assertThat(h.client.unclosedStubs()).hasSize(1);
    }

    @Test
    void closedStubsAwaitedPromisesAndCallbackArgumentsAreNoLeak() {
        try (Harness h = tracked()) {
            try (RpcStub counter = (RpcStub) h.main.call("makeCounter").join()) {
                assertThat(counter.get("value").join()).isEqualTo(1L);
            }
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
            RpcFunction f = args -> ((Long) args[0]) * 10;
            assertThat(h.main.call("callBack", f).join(Duration.ofSeconds(5))).isEqualTo(20L);
            h.main.close();
            h.settle();
            assertThat(h.client.unclosedStubs()).isEmpty();
            assertThat(h.server.unclosedStubs()).isEmpty();
        }
    }

    @Test
    void promiseNeverAwaitedNorClosedIsReported() {
        try (Harness h = tracked()) {
            RpcPromise forgotten = h.main.call("square", 4);
            assertThat(h.client.unclosedStubs()).anySatisfy(s -> assertThat(s).startsWith("RpcPromise"));
            forgotten.close();
            h.main.close();
            h.settle();
            assertThat(h.client.unclosedStubs()).isEmpty();
        }
    }

    @Test
    void withoutTheOptionNothingIsRecorded() {
        try (Harness h = new Harness(new Api())) {
            h.main.call("makeCounter").join();
            assertThat(h.client.unclosedStubs()).isEmpty();
        }
    }
}
