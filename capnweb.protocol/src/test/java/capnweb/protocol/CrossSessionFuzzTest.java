package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStreams;
import capnweb.api.RpcStub;
import capnweb.api.RpcWritableStream;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proxying at random: a client uses a server's stub of another session (Bob's server hands out its
 * stub of Alice's), with every kind of operation in a random order: calls, pipelined and awaited
 * counters, stubs and promises passed back through the proxy, a third session's promises and
 * local objects passed in, map() with and without captures, echoes of stubs, streams read, sent
 * and written to, errors, dups and closes, and local stubs ({@code RpcStub.of}, {@code RpcPromise.of})
 * held beside the peers' counters, passed through the proxy and captured in maps. Each result is
 * checked against a model of the counters, and at the end every session must be back to its main
 * import and export and every local counter closed once, with sessions by default and with
 * {@code directExecutor()}. Seeds are logged so a failure can be replayed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossSessionFuzzTest {
    private static final int OPERATIONS = 40;

    /** The interop TestTarget with the stream members too. */
    public static final class Alice extends TestTargets.TestTarget {
        private final StreamTargets.Main streams = new StreamTargets.Main();

        public Flow.Publisher<Object> streamNumbers(int n) {
            return streams.streamNumbers(n);
        }

        public CompletionStage<Double> sumStream(Flow.Publisher<Object> readable) {
            return streams.sumStream(readable);
        }

        public CompletionStage<Object> writeTo(RpcWritableStream writable, int n) {
            return streams.writeTo(writable, n);
        }
    }

    /** A counter the client holds, and the value the model expects of it; dups share the value. */
    private static final class Held {
        final RpcStub stub;
        final long[] value;

        Held(RpcStub stub, long[] value) {
            this.stub = stub;
            this.value = value;
        }
    }

    @Test
    void randomOperationsThroughAProxyGiveTheModelsResultsAndLeakNothing() {
        List<Long> seeds = new ArrayList<>(LongStream.range(1, 13).boxed().collect(Collectors.toList()));
        Random pick = new Random();
        for (int i = 0; i < Integer.getInteger("fuzz.randomSeeds", 4); i++) {
            seeds.add(pick.nextLong());
        }
        for (SessionOptions options : List.of(SessionOptions.defaults(),
                SessionOptions.builder().directExecutor().build())) {
            for (long seed : seeds) {
                try {
                    run(seed, options);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("CrossSessionFuzzTest failed with seed " + seed + "L"
                            + (options.directExecutor() ? " (direct)" : "") + ": " + e, e);
                }
            }
        }
    }

    private static void run(long seed, SessionOptions options) {
        Random random = new Random(seed);
        List<Held> held = new ArrayList<>();
        List<TestTargets.Counter> locals = new ArrayList<>();
        Object none = Undefined.INSTANCE;
        try (Harness alice = new Harness(new Alice(), none, options, options);
             Harness bob = new Harness(new CrossSessionTest.Gate(alice.main), none, options, options);
             Harness carol = new Harness(new TestTargets.TestTarget(), none, options, options)) {
            RpcPromise viaBob = bob.main.call("getAlice");
            for (int op = 0; op < OPERATIONS; op++) {
                step(random, viaBob, carol, held, locals);
            }
            for (Held h : held) {
                h.stub.close();
            }
            viaBob.close();
            Harness.assertAllAtBaseline(alice, bob, carol);
            for (TestTargets.Counter local : locals) {
                local.awaitClosed(1);
                assertThat(local.closed).as("a local counter is closed once, when its last reference goes").hasValue(1);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void step(Random random, RpcPromise viaBob, Harness carol, List<Held> held,
            List<TestTargets.Counter> locals) {
        long n = random.nextInt(20);
        switch (random.nextInt(18)) {
            case 0:
                assertThat(viaBob.call("square", n).join()).isEqualTo(n * n);
                break;
            case 1: {
                RpcPromise made = viaBob.call("makeCounter", n);
                // Kept as a promise (pipelined on) or awaited into a stub of its own.
                RpcStub stub = random.nextBoolean() ? made : (RpcStub) made.join();
                held.add(new Held(stub, new long[] {n}));
                break;
            }
            case 2:
                if (!held.isEmpty()) {
                    Held h = held.get(random.nextInt(held.size()));
                    h.value[0] += n;
                    assertThat(h.stub.call("increment", n).join()).isEqualTo(h.value[0]);
                }
                break;
            case 3:
                if (!held.isEmpty()) {
                    Held h = held.get(random.nextInt(held.size()));
                    h.value[0] += n;
                    assertThat(viaBob.call("incrementCounter", h.stub, n).join()).isEqualTo(h.value[0]);
                }
                break;
            case 4: {
                TestTargets.Counter local = new TestTargets.Counter(n);
                assertThat(viaBob.call("incrementCounter", local, 2).join()).isEqualTo(n + 2);
                assertThat(local.value()).isEqualTo(n + 2);
                break;
            }
            case 5:
                try (RpcPromise third = carol.main.call("makeCounter", n)) {
                    assertThat(viaBob.call("incrementCounter", third, 3).join()).isEqualTo(n + 3);
                }
                break;
            case 6:
                try (RpcPromise fib = viaBob.call("generateFibonacci", 6);
                     RpcPromise mapped = random.nextBoolean()
                             ? fib.map(x -> viaBob.call("square", x))
                             : fib.map(x -> viaBob.call("makeCounter", x).call("increment", 1))) {
                    List<?> result = (List<?>) mapped.join();
                    assertThat(result).satisfiesAnyOf(
                            r -> assertThat(r).isEqualTo(List.of(0L, 1L, 1L, 4L, 9L, 25L)),
                            r -> assertThat(r).isEqualTo(List.of(1L, 2L, 2L, 3L, 4L, 6L)));
                }
                break;
            case 7: {
                TestTargets.Counter local = new TestTargets.Counter(n);
                Map<?, ?> echoed = (Map<?, ?>) viaBob.call("echo", Map.of("one", local, "list", List.of(local))).join();
                RpcStub one = (RpcStub) echoed.get("one");
                assertThat(one.call("increment", 1).join()).isEqualTo(n + 1);
                one.close();
                ((RpcStub) ((List<?>) echoed.get("list")).get(0)).close();
                break;
            }
            case 8:
                try (RpcPromise failing = viaBob.call("throwError")) {
                    assertThatThrownBy(failing::join).hasMessage("test error");
                }
                break;
            case 9:
                if (!held.isEmpty()) {
                    held.remove(random.nextInt(held.size())).stub.close();
                }
                break;
            case 10:
                if (!held.isEmpty()) {
                    Held h = held.get(random.nextInt(held.size()));
                    held.add(new Held(h.stub.dup(), h.value));
                }
                break;
            case 11: {
                Object numbers = viaBob.call("streamNumbers", (int) n % 5).join();
                assertThat(RpcStreams.readAll((Flow.Publisher<?>) numbers).toCompletableFuture().join())
                        .isEqualTo(LongStream.range(0, n % 5).boxed().collect(Collectors.toList()));
                break;
            }
            case 12:
                assertThat(((Number) viaBob.call("sumStream", RpcStreams.publisherOf(n, 1, 0.5)).join())
                        .doubleValue()).isEqualTo(n + 1.5);
                break;
            case 13: {
                StreamTargets.Collector sink = new StreamTargets.Collector();
                viaBob.call("writeTo", sink, (int) n % 4).join();
                assertThat(sink.closed.join())
                        .isEqualTo(LongStream.range(0, n % 4).boxed().collect(Collectors.toList()));
                break;
            }
            case 14: {
                TestTargets.Counter local = new TestTargets.Counter(n);
                locals.add(local);
                held.add(new Held(RpcStub.of(local), new long[] {n}));
                break;
            }
            case 15: {
                // A counter of Alice's, reached through the proxy once a future completes.
                long start = n;
                RpcStub promised = RpcPromise.of(java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> viaBob.call("makeCounter", start)));
                held.add(new Held(promised, new long[] {n}));
                break;
            }
            case 16: {
                LocalStubTest.Collector collector = new LocalStubTest.Collector();
                try (RpcStub sink = RpcStub.of(collector);
                     RpcPromise fib = viaBob.call("generateFibonacci", 6);
                     RpcPromise mapped = fib.map(x -> sink.call("add", x))) {
                    // Every element reaches the local sink once. Not in order: through two forwarding
                    // hops, each call waits for a promise argument of its own, and those can settle
                    // out of order (see CrossSessionTest for the one-hop case, which keeps it).
                    assertThat((List<Object>) mapped.join()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L);
                    assertThat(collector.got).containsExactlyInAnyOrder(0L, 1L, 1L, 2L, 3L, 5L);
                }
                break;
            }
            default:
                if (!held.isEmpty()) {
                    Held h = held.get(random.nextInt(held.size()));
                    assertThat(h.stub.get("value").join()).isEqualTo(h.value[0]);
                }
        }
    }
}
