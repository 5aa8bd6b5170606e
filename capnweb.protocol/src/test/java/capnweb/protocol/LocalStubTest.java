package capnweb.protocol;

import static capnweb.protocol.Harness.assertAllAtBaseline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcReadableStream;
import capnweb.api.RpcStreams;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code RpcStub.of} and {@code RpcPromise.of}: stubs and promises of local objects, with no connection. */
class LocalStubTest {

    /** A peer's object that keeps the stubs it is given until told to drop them. */
    public static class Keeper implements RpcTarget {
        private final List<RpcStub> kept = new ArrayList<>();

        public synchronized RpcPromise keepAndCall(RpcStub stub, long amount) {
            kept.add(stub.dup());
            return stub.call("increment", amount);
        }

        public synchronized void dropAll() {
            kept.forEach(RpcStub::close);
            kept.clear();
        }

        public Object echo(Object value) {
            return value;
        }
    }

    public interface Counting {
        long increment(long amount);

        long value();
    }

    @Test
    void aLocalStubCallsItsTargetPipelinesAndViewsAsAnInterface() {
        try (RpcStub calc = RpcStub.of(new TestTargets.TestTarget())) {
            assertThat(calc.call("square", 3).join()).isEqualTo(9.0);
            try (RpcPromise counter = calc.call("makeCounter", 10)) {
                assertThat(counter.call("increment", 5).join()).isEqualTo(15L);
                assertThat(counter.get("value").join()).isEqualTo(15L);
            }
            assertThatThrownBy(() -> calc.call("noSuchMethod").join())
                    .isInstanceOf(RpcException.class)
                    .hasMessageContaining("noSuchMethod");
        }
        TestTargets.Counter target = new TestTargets.Counter(1);
        try (RpcStub stub = RpcStub.of(target)) {
            Counting typed = stub.as(Counting.class);
            assertThat(typed.increment(2)).isEqualTo(3L);
            assertThat(typed.value()).isEqualTo(3L);
        }
    }

    @Test
    void aCallOnALocalStubReturnsAtOnceWhileItsTargetRuns() throws Exception {
        TestTargets.Gate gate = new TestTargets.Gate();
        try (RpcStub stub = RpcStub.of(gate);
             RpcPromise blocked = stub.call("block")) {
            assertThat(gate.entered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(blocked.toCompletableFuture().isDone()).isFalse();
            gate.release.countDown();
            assertThat(blocked.join()).isEqualTo(1L);
        }
    }

    /** Answers each call when told to. */
    public static class Pending implements RpcTarget {
        final CompletableFuture<Long> release = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger();

        public CompletionStage<Long> await() {
            entered.incrementAndGet();
            return release;
        }
    }

    @Test
    void aLocalStubHasNoLimitOfItsOwnOnCallsInFlight() {
        // The sessions that reach a local stub each have their limits; the stub's own session
        // must not add one that every user of the stub shares (and that would break it for all).
        Pending target = new Pending();
        int calls = SessionOptions.DEFAULT_MAX_CALLS_IN_FLIGHT + 10;
        try (RpcStub stub = RpcStub.of(target)) {
            List<RpcPromise> pending = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                pending.add(stub.call("await"));
            }
            // Every call is running (or was refused) before any settles.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (target.entered.get() < calls && System.nanoTime() < deadline
                    && !pending.get(calls - 1).toCompletableFuture().isDone()) {
                Thread.onSpinWait();
            }
            target.release.complete(7L);
            for (RpcPromise p : pending) {
                assertThat(p.join()).isEqualTo(7L);
                p.close();
            }
            assertThat(stub.call("await").join()).isEqualTo(7L);
        }
    }

    @Test
    void mapRunsOverALocalStubsResultsHere() {
        try (RpcStub calc = RpcStub.of(new TestTargets.TestTarget());
             RpcPromise fib = calc.call("generateFibonacci", 6);
             RpcPromise squares = fib.map(x -> calc.call("square", x));
             RpcPromise nothing = calc.call("returnNull");
             RpcPromise mappedNothing = nothing.map(x -> calc.call("square", x))) {
            assertThat(squares.join()).isEqualTo(List.of(0.0, 1.0, 1.0, 4.0, 9.0, 25.0));
            assertThat(mappedNothing.join()).isNull();
        }
    }

    @Test
    void callsOnALocalStubRunOneAtATimeInTheOrderTheyWereMade() {
        TestTargets.Counter counter = new TestTargets.Counter(0);
        try (RpcStub stub = RpcStub.of(counter)) {
            List<RpcPromise> results = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                results.add(stub.call("increment", 1));
            }
            for (int i = 0; i < 500; i++) {
                assertThat(results.get(i).join()).isEqualTo(i + 1L);
                results.get(i).close();
            }
        }
    }

    /** Takes streams in the types a peer's streams arrive as. */
    public static class StreamTaker implements RpcTarget {
        public CompletionStage<Integer> length(RpcReadableStream stream) {
            return stream.readAllBytes().thenApply(b -> b.length);
        }

        public void writeText(OutputStream out, String text) throws IOException {
            try (out) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void streamsPassedToALocalStubArriveAsAPeersStreamsWould() {
        try (RpcStub store = RpcStub.of(new ReadmeExamplesTest.Store());
             RpcStub taker = RpcStub.of(new StreamTaker())) {
            byte[] ab = "ab".getBytes(StandardCharsets.UTF_8);
            // A publisher, taken as an InputStream, and one returned.
            assertThat(store.call("upload", "a", RpcStreams.publisherOf(ab)).join()).isEqualTo(2);
            Object download = store.call("download", "a").join();
            assertThat(RpcStreams.readAllBytes((Flow.Publisher<?>) download).toCompletableFuture().join())
                    .isEqualTo(ab);
            // A publisher taken as an RpcReadableStream.
            assertThat(taker.call("length", RpcStreams.publisherOf(ab, ab)).join()).isEqualTo(4);
            // A subscriber taken as an RpcWritableStream, and one taken as an OutputStream.
            StreamTargets.Collector numbers = new StreamTargets.Collector();
            store.call("countTo", numbers, 3).join();
            assertThat(numbers.closed.join()).containsExactly(1L, 2L, 3L);
            StreamTargets.Collector text = new StreamTargets.Collector();
            taker.call("writeText", text, "hi").join();
            assertThat(text.closed.join()).hasSize(1);
            assertThat(new String((byte[]) text.received.get(0), StandardCharsets.UTF_8)).isEqualTo("hi");
        }
    }

    @Test
    void aFunctionBecomesAStubToo() {
        RpcFunction twice = args -> ((Number) args[0]).longValue() * 2;
        try (RpcStub stub = RpcStub.of(twice)) {
            assertThat(stub.invoke(21).join()).isEqualTo(42L);
        }
    }

    @Test
    void aTargetPassedThroughOneStubToTwoSessionsIsClosedOnceWhenTheLastReferenceGoes() {
        try (Harness first = new Harness(new Keeper());
             Harness second = new Harness(new Keeper())) {
            TestTargets.Counter target = new TestTargets.Counter(0);
            RpcStub shared = RpcStub.of(target);
            assertThat(first.main.call("keepAndCall", shared, 1).join()).isEqualTo(1L);
            assertThat(second.main.call("keepAndCall", shared, 2).join()).isEqualTo(3L);
            RpcStub dup = shared.dup();
            shared.close();
            first.main.call("dropAll").join();
            second.main.call("dropAll").join();
            assertAllAtBaseline(first, second);
            assertThat(target.closed).as("one reference is still open").hasValue(0);
            assertThat(dup.call("increment", 1).join()).isEqualTo(4L);
            dup.close();
            target.awaitClosed(1);
            assertThat(target.closed).hasValue(1);

            // The bare target passed to each session is closed once per session instead.
            TestTargets.Counter bare = new TestTargets.Counter(0);
            first.main.call("keepAndCall", bare, 1).join();
            second.main.call("keepAndCall", bare, 1).join();
            first.main.call("dropAll").join();
            second.main.call("dropAll").join();
            assertAllAtBaseline(first, second);
            bare.awaitClosed(2);
            assertThat(bare.closed).hasValue(2);
        }
    }

    @Test
    void aPeerWhoseConnectionIsLostReleasesWhatItHeldOfALocalStub() {
        TestTargets.Counter target = new TestTargets.Counter(0);
        RpcStub shared = RpcStub.of(target);
        try (Harness h = new Harness(new Keeper())) {
            // The client's session exports the stub to the server, which keeps a duplicate.
            assertThat(h.main.call("keepAndCall", shared, 1).join()).isEqualTo(1L);
            shared.close();
            assertThat(target.closed).as("the peer still holds it").hasValue(0);
            h.clientTransport.lose(new java.io.IOException("cable cut"));
            target.awaitClosed(1);
            assertThat(target.closed).as("released when the session that exported it ended").hasValue(1);
        }
    }

    /** Collects what it is given. */
    public static class Collector implements RpcTarget {
        final List<Object> got = new CopyOnWriteArrayList<>();

        public long add(Object value) {
            got.add(value);
            return got.size();
        }
    }

    @Test
    void aLocalStubCapturedInAMapIsCalledByThePeerForEachElement() {
        Collector collector = new Collector();
        try (Harness h = new Harness(new TestTargets.TestTarget());
             RpcStub sink = RpcStub.of(collector);
             RpcPromise fib = h.main.call("generateFibonacci", 5);
             RpcPromise mapped = fib.map(x -> sink.call("add", x))) {
            assertThat(mapped.join()).isEqualTo(List.of(1L, 2L, 3L, 4L, 5L));
            assertThat(collector.got).containsExactly(0L, 1L, 1L, 2L, 3L);
        }
    }

    @Test
    void aBareTargetCannotBeMadeInsideAMapperAndTheErrorSaysWhatToDo() {
        try (Harness h = new Harness(new TestTargets.TestTarget());
             RpcPromise fib = h.main.call("generateFibonacci", 2)) {
            assertThatThrownBy(() -> fib.map(x -> h.main.call("echo", new Collector())))
                    .hasMessageContaining("RpcStub.of");
        }
    }

    @Test
    void callsOnALocalPromiseWaitForItsFutureAndGoInOrder() throws Exception {
        CompletableFuture<Object> later = new CompletableFuture<>();
        try (RpcPromise promise = RpcPromise.of(later)) {
            RpcPromise first = promise.call("increment", 1);
            RpcPromise second = promise.call("increment", 10);
            RpcPromise value = promise.get("value");
            Thread.sleep(50);
            assertThat(first.toCompletableFuture().isDone()).isFalse();
            TestTargets.Counter counter = new TestTargets.Counter(0);
            later.complete(counter);
            assertThat(first.join()).isEqualTo(1L);
            assertThat(second.join()).isEqualTo(11L);
            assertThat(value.join()).isEqualTo(11L);
            assertThat(promise.join()).isInstanceOf(RpcStub.class);
            first.close();
            second.close();
            value.close();
            assertThat(counter.closed).hasValue(0);
            promise.close();
            counter.awaitClosed(1);
            assertThat(counter.closed).as("closing the promise closes what it resolved to").hasValue(1);
        }
    }

    @Test
    void aLocalPromiseClosedBeforeItsFutureCompletesStillDeliversEarlierCallsThenClosesTheResult() {
        CompletableFuture<Object> later = new CompletableFuture<>();
        RpcPromise promise = RpcPromise.of(later);
        RpcPromise call = promise.call("increment", 4);
        promise.close();
        TestTargets.Counter counter = new TestTargets.Counter(1);
        later.complete(counter);
        assertThat(call.join()).as("a call made before the close is delivered").isEqualTo(5L);
        call.close();
        counter.awaitClosed(1);
        assertThat(counter.closed).as("the result is closed once it arrives").hasValue(1);

        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            CompletableFuture<RpcStub> connecting = new CompletableFuture<>();
            RpcPromise backend = RpcPromise.of(connecting);
            backend.close();
            connecting.complete(peerCounter(h));
            assertAllAtBaseline(h);
        }
    }

    @Test
    void aFailedFutureRejectsThePromiseAndEveryCallOnIt() throws Exception {
        CompletableFuture<Object> later = new CompletableFuture<>();
        try (RpcPromise promise = RpcPromise.of(later);
             RpcPromise call = promise.call("increment", 1)) {
            CompletableFuture<Throwable> broken = new CompletableFuture<>();
            promise.onBroken(broken::complete);
            later.completeExceptionally(RpcException.of("RangeError", "no backend"));
            assertThatThrownBy(call::join).isInstanceOf(RpcException.class).hasMessageContaining("no backend");
            assertThatThrownBy(promise::join).isInstanceOf(RpcException.class).hasMessageContaining("no backend");
            assertThat(broken.get(5, TimeUnit.SECONDS)).hasMessageContaining("no backend");
        }
    }

    @Test
    void aLocalPromiseOfAPeersStubForwardsToItAndReleasesItWhenClosed() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            CompletableFuture<RpcStub> connecting = new CompletableFuture<>();
            try (RpcPromise backend = RpcPromise.of(connecting);
                 RpcPromise counter = backend.call("makeCounter", 3)) {
                RpcPromise four = counter.call("increment", 1);
                connecting.complete(h.client.main());
                assertThat(four.join()).isEqualTo(4L);
                four.close();
            }
            // The session's own reference keeps its main import whatever stubs of it do: a stub of
            // another object shows whether the promise releases what it was given.
            CompletableFuture<RpcStub> counting = new CompletableFuture<>();
            try (RpcPromise counter = RpcPromise.of(counting)) {
                counting.complete(peerCounter(h));
                assertThat(counter.call("increment", 1).join()).isEqualTo(2L);
                assertThat(h.client.stats().imports()).isGreaterThan(1);
            }
            assertAllAtBaseline(h);
        }
    }

    @Test
    void aLocalPromisePassedToAPeerArrivesAsItsResolution() {
        CompletableFuture<Object> later = new CompletableFuture<>();
        try (Harness h = new Harness(new Keeper());
             RpcPromise promise = RpcPromise.of(later);
             RpcPromise echoed = h.main.call("echo", List.of(promise))) {
            later.complete("ready");
            assertThat(echoed.join()).isEqualTo(List.of("ready"));
        }
    }

    @Test
    void wrongArgumentsAreRefusedWithASentence() {
        // A value of an anonymous class is named by what it prints, without an empty type name.
        Flow.Publisher<Object> anonymous = new Flow.Publisher<>() {
            @Override
            public void subscribe(Flow.Subscriber<? super Object> s) {
            }
        };
        try (RpcStub taker = RpcStub.of(new StreamTaker())) {
            assertThatThrownBy(() -> taker.call("writeText", anonymous, "x").join())
                    .hasMessageContaining("expected OutputStream, got capnweb.protocol.LocalStubTest$")
                    .hasMessageNotContaining("got  ");
        }
        assertThatThrownBy(() -> RpcStub.of("text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RpcTarget or an RpcFunction");
        try (RpcStub stub = RpcStub.of(new TestTargets.Counter(0));
             RpcPromise promise = stub.call("increment", 1)) {
            assertThatThrownBy(() -> RpcPromise.of(promise))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("used as it is");
        }
    }

    /** A stub of a counter of the peer's, owning the only reference to it. */
    private static RpcStub peerCounter(Harness h) {
        try (RpcPromise made = h.main.call("makeCounter", 1)) {
            return ((RpcStub) made.join()).dup();
        }
    }
}
