package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * map() recorded by the Java client and evaluated by the reference server (remap), and typed
 * stubs over a reference server: the Java-side features checked against the reference.
 */
@Timeout(120)
class JavaClientMapInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Node.ReadyProcess referenceServer;

    @BeforeAll
    static void startReferenceServer() {
        referenceServer = Node.startReferenceServer();
    }

    @AfterAll
    static void stopReferenceServer() {
        if (referenceServer != null) {
            referenceServer.close();
        }
    }

    private static RpcSession connect(String endpoint) {
        String scheme = endpoint.startsWith("ws") ? "ws" : "http";
        String transport = endpoint.substring(endpoint.indexOf('-') + 1);
        URI uri = URI.create(scheme + "://127.0.0.1:" + referenceServer.port() + "/rpc");
        return CapnWeb.connect(uri, ClientOptions.builder().transport(transport).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws-jetty", "ws-vertx", "http-jetty", "http-vertx"})
    void referenceServerEvaluatesAJavaRecordedMapWithCapturesAndConstants(String endpoint) {
        try (RpcSession session = connect(endpoint); RpcStub api = session.main()) {
            RpcPromise fib = api.call("generateFibonacci", 6);
            // A capture (api), a constant baked in (100), a nested call on a result.
            RpcPromise mapped = fib.map(x -> api.call("add", api.call("square", x), 100));
            assertThat(mapped.join(WAIT)).isEqualTo(List.of(100L, 101L, 101L, 104L, 109L, 125L));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws-jetty", "http-vertx"})
    void referenceServerEvaluatesANestedMapAndObjectResults(String endpoint) {
        try (RpcSession session = connect(endpoint); RpcStub api = session.main()) {
            RpcPromise rows = api.call("echo", List.of(List.of(1, 2), List.of(3)));
            RpcPromise mapped = rows.map(row -> row.map(x -> Map.of("n", x, "sq", api.call("square", x))));
            assertThat(mapped.join(WAIT)).isEqualTo(List.of(
                    List.of(Map.of("n", 1L, "sq", 1L), Map.of("n", 2L, "sq", 4L)),
                    List.of(Map.of("n", 3L, "sq", 9L))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws-jetty"})
    void awaitingInsideAMapperFailsClearly(String endpoint) {
        try (RpcSession session = connect(endpoint); RpcStub api = session.main()) {
            RpcPromise fib = api.call("generateFibonacci", 3);
            assertThatThrownBy(() -> fib.map(x -> api.call("square", x).join()).join(WAIT))
                    .hasMessageContaining("map");
        }
    }

    /** Collects what the server hands it, in order; counts how often it was closed. */
    public static final class Collector implements RpcTarget, AutoCloseable {
        final List<Object> got = new CopyOnWriteArrayList<>();
        final AtomicInteger closes = new AtomicInteger();

        public double add(Object value) {
            got.add(value);
            return got.size();
        }

        public double square(double x) {
            return x * x;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws-jetty", "ws-vertx"})
    void referenceServerCallsALocalStubCapturedInAMapInOrder(String endpoint) {
        Collector collector = new Collector();
        try (RpcSession session = connect(endpoint); RpcStub api = session.main();
             RpcStub sink = RpcStub.of(collector)) {
            RpcPromise fib = api.call("generateFibonacci", 8);
            RpcPromise mapped = fib.map(x -> sink.call("add", x));
            // Each element's result is a promise for a call into this client, so it resolves here to
            // the very double add() returned.
            assertThat(mapped.join(WAIT)).isEqualTo(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0));
            assertThat(collector.got).containsExactly(0L, 1L, 1L, 2L, 3L, 5L, 8L, 13L);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws-jetty", "ws-vertx"})
    void aLocalStubPassedToTwoSessionsClosesItsTargetOnceWhenAllAreDone(String endpoint) throws Exception {
        Collector target = new Collector();
        try (RpcSession first = connect(endpoint); RpcStub one = first.main();
             RpcSession second = connect(endpoint); RpcStub two = second.main()) {
            RpcStub self = RpcStub.of(target);
            // The results are promises for calls into this client: the doubles square() returned.
            assertThat(one.call("callSquare", self, 3).join(WAIT)).isEqualTo(Map.of("result", 9.0));
            assertThat(two.call("callSquare", self, 4).join(WAIT)).isEqualTo(Map.of("result", 16.0));
            // A later answer on each connection comes after the release of the call's arguments.
            one.call("square", 1).join(WAIT);
            two.call("square", 1).join(WAIT);
            assertThat(target.closes).as("our stub still holds it").hasValue(0);
            self.close();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (target.closes.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            one.call("square", 1).join(WAIT);
            two.call("square", 1).join(WAIT);
            assertThat(target.closes).as("closed once, not once per session").hasValue(1);
        }
    }

    /** The reference TestTarget, as a Java interface. */
    public interface TestTarget extends AutoCloseable {
        long square(long i);

        RpcPromise square(Object i);

        List<Long> generateFibonacci(long n);

        Counter makeCounter(long start);

        @Override
        void close();
    }

    public interface Counter {
        long increment(long amount);

        @capnweb.api.RpcProperty
        long value();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws-jetty", "ws-vertx"})
    void typedStubOverTheReferenceServer(String endpoint) {
        try (RpcSession session = connect(endpoint); TestTarget api = session.main(TestTarget.class)) {
            assertThat(api.square(7)).isEqualTo(49L);
            assertThat(api.generateFibonacci(5)).containsExactly(0L, 1L, 1L, 2L, 3L);
            Counter counter = api.makeCounter(5);
            assertThat(counter.increment(2)).isEqualTo(7L);
            assertThat(counter.value()).isEqualTo(7L);
            assertThat(api.square(api.square((Object) 2)).join(WAIT)).isEqualTo(16L);
        }
    }
}
