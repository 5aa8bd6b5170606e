package capnweb.protocol;

import static capnweb.protocol.Harness.assertAllAtBaseline;
import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStreams;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stubs passed from one session into another: three-party passing and proxying. */
@Timeout(15)
class CrossSessionTest {

    public static class Alice implements RpcTarget {
        public TestTargets.Counter getCounter(long start) {
            return new TestTargets.Counter(start);
        }

        public RpcPromise incrementCounter(RpcStub counter, long amount) {
            return counter.call("increment", amount);
        }
    }

    public static class Bob implements RpcTarget {
        private final RpcStub alice;

        Bob(RpcStub alice) {
            this.alice = alice;
        }

        public RpcPromise incrementCounter(RpcStub counter, long amount) {
            return counter.call("increment", amount);
        }

        public CompletionStage<Object> getCounter(long start) {
            return alice.call("getCounter", start).thenApply(x -> x);
        }

        public RpcPromise getCounterPromise(long start) {
            return alice.call("getCounter", start);
        }

        public RpcPromise forward(RpcStub counter, long amount) {
            return alice.call("incrementCounter", counter, amount);
        }
    }

    @Test
    void stubFromOneSessionIsUsableInAnother() {
        try (Harness alice = new Harness(new Alice()); Harness bob = new Harness(new Bob(null))) {
            RpcStub counter = (RpcStub) alice.main.call("getCounter", 10).join();
            assertThat(bob.main.call("incrementCounter", counter, 3).join()).isEqualTo(13L);
            assertThat(counter.call("increment", 1).join()).isEqualTo(14L);
            counter.close();
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void serverProxiesToAnotherSession() {
        try (Harness alice = new Harness(new Alice());
             Harness bob = new Harness(new Bob(alice.main))) {
            RpcStub viaAwait = (RpcStub) bob.main.call("getCounter", 4).join();
            assertThat(viaAwait.call("increment", 2).join()).isEqualTo(6L);
            viaAwait.close();

            RpcPromise pipelined = bob.main.call("getCounter", 4);
            assertThat(pipelined.call("increment", 2).join()).isEqualTo(6L);
            pipelined.close();

            RpcPromise promise = bob.main.call("getCounterPromise", 4);
            assertThat(promise.call("increment", 2).join()).isEqualTo(6L);
            promise.close();

            TestTargets.Counter local = new TestTargets.Counter(10);
            assertThat(bob.main.call("forward", local, 3).join()).isEqualTo(13L);
            assertThat(local.value()).isEqualTo(13L);
        }
    }

    /** Hands out its own stub of another session's main object. */
    public static class Gate implements RpcTarget {
        private final RpcStub alice;

        Gate(RpcStub alice) {
            this.alice = alice;
        }

        public RpcStub getAlice() {
            return alice.dup();
        }
    }

    @Test
    void aStubPassedInACallThatAnotherSessionForwardsIsReleasedWhenDone() {
        try (Harness alice = new Harness(new Alice());
             Harness bob = new Harness(new Gate(alice.main))) {
            TestTargets.Counter local = new TestTargets.Counter(5);
            try (RpcPromise viaBob = bob.main.call("getAlice")) {
                // Bob's server forwards the call, with its stub of our counter, to Alice's session.
                assertThat(viaBob.call("incrementCounter", local, 3).join()).isEqualTo(8L);
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void aStubInAForwardedCallsResultIsReleasedOnBothLinksWhenClosed() {
        try (Harness alice = new Harness(new Alice());
             Harness bob = new Harness(new Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice")) {
                RpcStub counter = (RpcStub) viaBob.call("getCounter", 4).join();
                assertThat(counter.call("increment", 1).join()).isEqualTo(5L);
                counter.close();
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void forwardedCallsWaitingForPromiseArgumentsRunInTheOrderTheyWereMade() {
        try (Harness alice = new Harness(new Alice());
             Harness bob = new Harness(new Gate(alice.main))) {
            for (int round = 0; round < 20; round++) {
                try (RpcPromise viaBob = bob.main.call("getAlice");
                     RpcPromise counter = viaBob.call("getCounter", 0)) {
                    // Each call waits for the counter promise to settle in Alice's session before it
                    // runs; the increments must still land in the order they were made.
                    List<RpcPromise> totals = new ArrayList<>();
                    for (int i = 1; i <= 30; i++) {
                        totals.add(viaBob.call("incrementCounter", counter, i));
                    }
                    List<Object> expected = new ArrayList<>();
                    for (int i = 1; i <= 30; i++) {
                        expected.add((long) i * (i + 1) / 2);
                    }
                    assertThat(bob.client.whenAll(totals).join()).isEqualTo(expected);
                    totals.forEach(RpcPromise::close);
                }
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void aForwardedPromisePassedBackAsAnArgumentIsReleasedOnBothLinks() {
        try (Harness alice = new Harness(new Alice());
             Harness bob = new Harness(new Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice");
                 RpcPromise counter = viaBob.call("getCounter", 4)) {
                assertThat(viaBob.call("incrementCounter", counter, 2).join()).isEqualTo(6L);
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void aThirdSessionsPromiseForwardedThroughAProxyIsReleasedOnEveryLink() {
        try (Harness alice = new Harness(new Alice());
             Harness bob = new Harness(new Gate(alice.main));
             Harness carol = new Harness(new TestTargets.TestTarget())) {
            try (RpcPromise viaBob = bob.main.call("getAlice");
                 RpcPromise counter = carol.main.call("makeCounter", 7)) {
                assertThat(viaBob.call("incrementCounter", counter, 2).join()).isEqualTo(9L);
            }
            assertAllAtBaseline(alice, bob, carol);
        }
    }

    @Test
    void mapOverAForwardedResultRunsWhereTheValueLivesAndReleasesEverything() {
        try (Harness alice = new Harness(new TestTargets.TestTarget());
             Harness bob = new Harness(new Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice");
                 RpcPromise fib = viaBob.call("generateFibonacci", 6);
                 RpcPromise pairs = fib.map(n -> List.of(n, n));
                 RpcPromise squares = fib.map(n -> viaBob.call("square", n));
                 RpcPromise counters = fib.map(n -> viaBob.call("makeCounter", n).call("increment", 10))) {
                assertThat(pairs.join()).isEqualTo(List.of(List.of(0L, 0L), List.of(1L, 1L), List.of(1L, 1L),
                        List.of(2L, 2L), List.of(3L, 3L), List.of(5L, 5L)));
                assertThat(squares.join()).isEqualTo(List.of(0L, 1L, 1L, 4L, 9L, 25L));
                assertThat(counters.join()).isEqualTo(List.of(10L, 11L, 11L, 12L, 13L, 15L));
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void mapOverAPropertyOfAForwardedStub() {
        try (Harness alice = new Harness(new TestTargets.TestTarget());
             Harness bob = new Harness(new Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice");
                 RpcPromise counter = viaBob.call("makeCounter", 3);
                 RpcPromise doubled = counter.get("value").map(v -> List.of(v, v))) {
                assertThat(doubled.join()).isEqualTo(List.of(3L, 3L));
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void streamsTravelThroughAProxyEveryWay() throws Exception {
        try (Harness alice = new Harness(new StreamTargets.Main());
             Harness bob = new Harness(new Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice")) {
                // A stream the client sends, which Bob's server passes on to Alice to read.
                assertThat(viaBob.call("sumStream", RpcStreams.publisherOf(1, 2, 3.5)).join()).isEqualTo(6.5);
                Object numbers = viaBob.call("streamNumbers", 4).join();
                assertThat(RpcStreams.readAll((Flow.Publisher<?>) numbers).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)).containsExactly(0L, 1L, 2L, 3L);
                // A writable the client passes, which Alice writes to through Bob's server.
                StreamTargets.Collector sink = new StreamTargets.Collector();
                viaBob.call("writeTo", sink, 3).join();
                assertThat(sink.closed.get(10, TimeUnit.SECONDS)).containsExactly(0L, 1L, 2L);
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void aStreamReturnedThroughAProxyIsReadWholeEveryTime() throws Exception {
        // The stream's guard in the proxy is released as soon as the client has the result; the
        // proxy must have started reading the stream by then. A race, so tried many times.
        try (Harness alice = new Harness(new StreamTargets.Main());
             Harness bob = new Harness(new Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice")) {
                for (int i = 0; i < 300; i++) {
                    Object numbers = viaBob.call("streamNumbers", 2).join();
                    assertThat(RpcStreams.readAll((Flow.Publisher<?>) numbers).toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)).as("try %d", i).containsExactly(0L, 1L);
                }
            }
            assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void aWritablePassedThroughAProxyIsWrittenAndClosedEveryTime() throws Exception {
        // The call that writes ends, and its arguments with the caller's writable are released,
        // once the close is acknowledged: by the caller, not by a pipe in the proxy. A race, so
        // tried many times, with every session on the calling thread, which makes it likelier.
        SessionOptions direct = SessionOptions.builder().directExecutor().build();
        try (Harness alice = new Harness(new StreamTargets.Main(), Undefined.INSTANCE, direct, direct);
             Harness bob = new Harness(new Gate(alice.main), Undefined.INSTANCE, direct, direct)) {
            try (RpcPromise viaBob = bob.main.call("getAlice")) {
                for (int i = 0; i < 2000; i++) {
                    StreamTargets.Collector sink = new StreamTargets.Collector();
                    viaBob.call("writeTo", sink, 2).join();
                    assertThat(sink.closed.get(10, TimeUnit.SECONDS)).as("try %d", i).containsExactly(0L, 1L);
                }
            }
            assertAllAtBaseline(alice, bob);
        }
    }
}
