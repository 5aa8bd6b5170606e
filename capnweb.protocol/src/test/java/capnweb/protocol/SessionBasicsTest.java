package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.SessionStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SessionBasicsTest {

    @Test
    void callResolves() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
        }
    }

    @Test
    void fractionalResultStaysDouble() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.main.call("square", 1.5).join()).isEqualTo(2.25);
        }
    }

    @Test
    void thrownErrorRejectsWithTypeAndMessage() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThatThrownBy(() -> h.main.call("throwError").join())
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.type()).isEqualTo("RangeError");
                        assertThat(e.getMessage()).isEqualTo("test error");
                    });
        }
    }

    @Test
    void missingMethodRejectsWithTheReferenceMessage() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThatThrownBy(() -> h.main.call("nope").join())
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.type()).isEqualTo("TypeError");
                        assertThat(e.getMessage()).isEqualTo("'nope' is not a function.");
                    });
            // The session carries on.
            assertThat(h.main.call("square", 2).join()).isEqualTo(4L);
        }
    }

    @Test
    void functionPassedByReferenceIsCalledBack() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.main.call("callFunction", TestTargets.squarer(), 3).join())
                    .isEqualTo(Map.of("result", 9L));
        }
    }

    @Test
    void returnedTargetArrivesAsCallableStub() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 4).join();
            assertThat(counter.call("increment").join()).isEqualTo(5L);
            assertThat(counter.call("increment", 4).join()).isEqualTo(9L);
            assertThat(counter.get("value").join()).isEqualTo(9L);
            counter.close();
        }
    }

    @Test
    void stubPassedBackReachesTheOriginalObject() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 4).join();
            assertThat(h.main.call("incrementCounter", counter).join()).isEqualTo(5L);
            assertThat(h.main.call("incrementCounter", counter, 4).join()).isEqualTo(9L);
            counter.close();
        }
    }

    @Test
    void clientTargetIsCalledByTheServer() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            TestTargets.Counter local = new TestTargets.Counter(10);
            assertThat(h.main.call("incrementCounter", local, 3).join()).isEqualTo(13L);
            assertThat(local.value()).isEqualTo(13L);
        }
    }

    @Test
    void callsPipelineOnUnresolvedResults() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise counter = h.main.call("makeCounter", 4);
            RpcPromise a = counter.call("increment");
            RpcPromise b = counter.call("increment", 4);
            assertThat(a.join()).isEqualTo(5L);
            assertThat(b.join()).isEqualTo(9L);
            counter.close();
        }
    }

    @Test
    void promiseAsArgumentIsDeliveredResolved() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise two = h.main.call("square", 2);
            assertThat(h.main.call("square", two).join()).isEqualTo(16L);
            two.close();
        }
    }

    @Test
    void resultContainingAPromiseForTheCallersObjectResolves() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.main.call("callSquare", h.main, 3).join()).isEqualTo(Map.of("result", 9L));
        }
    }

    @Test
    void listsAndNullsRoundTrip() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.main.call("generateFibonacci", 6).join()).isEqualTo(List.of(0L, 1L, 1L, 2L, 3L, 5L));
            assertThat(h.main.call("returnNull").join()).isNull();
            assertThat(h.main.call("returnUndefined").join()).isEqualTo(capnweb.api.Undefined.INSTANCE);
        }
    }

    @Test
    void freshSessionHoldsOneImportAndOneExport() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.client.stats()).isEqualTo(new SessionStats(1, 1));
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void tablesReturnToBaselineAfterEverythingIsClosed() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 1).join();
            counter.call("increment").join();
            RpcPromise p = h.main.call("makeCounter", 2);
            p.call("increment").join();
            counter.close();
            p.close();
            h.awaitBaseline();
            assertThat(h.client.stats()).isEqualTo(new SessionStats(1, 1));
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }
}
