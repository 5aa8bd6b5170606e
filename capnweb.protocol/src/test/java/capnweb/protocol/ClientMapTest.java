package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** map() from the Java API: recorded on placeholders and sent as one remap push. */
@Timeout(10)
class ClientMapTest {

    @Test
    void mapOverAnArrayRunsRemotely() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise fib = h.main.call("generateFibonacci", 6);
            RpcPromise squares = fib.map(i -> h.main.call("square", i));
            assertThat(squares.join()).isEqualTo(List.of(0L, 1L, 1L, 4L, 9L, 25L));
            assertThat(h.clientTransport.sent.get(1)).isEqualTo("[\"push\",[\"remap\",1,[],[[\"import\",0]],"
                    + "[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],[\"pipeline\",1]]]]");
            fib.close();
            squares.close();
        }
    }

    @Test
    void mapperMayBuildObjectsAndCallCapturedStubs() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub outer = (RpcStub) h.main.call("makeCounter", 0).join();
            RpcPromise fib = h.main.call("generateFibonacci", 6);
            RpcPromise mapped = fib.map(i -> {
                RpcPromise counter = h.main.call("makeCounter", i);
                RpcPromise val = counter.call("increment", 3);
                outer.call("increment");
                return Map.of("counter", counter, "val", val);
            });
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> result = (List<Map<String, Object>>) mapped.join();
            assertThat(result).extracting(m -> m.get("val")).containsExactly(3L, 4L, 4L, 5L, 6L, 8L);
            assertThat(((RpcStub) result.get(5).get("counter")).get("value").join()).isEqualTo(8L);
            assertThat(outer.get("value").join()).isEqualTo(6L);
            result.forEach(m -> ((RpcStub) m.get("counter")).close());
            mapped.close();
            fib.close();
            outer.close();
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
            assertThat(h.client.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void nestedMap() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise fib = h.main.call("generateFibonacci", 5);
            RpcPromise result = fib.map(i -> h.main.call("generateFibonacci", i)
                    .map(j -> h.main.call("generateFibonacci", j)));
            assertThat(result.join()).isEqualTo(List.of(
                    List.of(),
                    List.of(List.of()),
                    List.of(List.of()),
                    List.of(List.of(), List.of(0L)),
                    List.of(List.of(), List.of(0L), List.of(0L))));
            fib.close();
            result.close();
        }
    }

    @Test
    void mapOverNullUndefinedAndSingleValues() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 0).join();
            assertThat(h.main.call("returnNull").map(x -> counter.call("increment", 123)).join()).isNull();
            assertThat(h.main.call("returnUndefined").map(x -> counter.call("increment", 456)).join())
                    .isEqualTo(Undefined.INSTANCE);
            assertThat(h.main.call("returnNumber", 2).map(x -> counter.call("increment", x)).join()).isEqualTo(2L);
            assertThat(h.main.call("returnNumber", 4).map(x -> counter.call("increment", x)).join()).isEqualTo(6L);
            counter.close();
        }
    }

    @Test
    void propertiesOfThePlaceholderAreRecordedAsPaths() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise items = h.main.call("echo", List.of(Map.of("n", 2), Map.of("n", 3)));
            assertThat(items.map(item -> h.main.call("square", item.get("n"))).join()).isEqualTo(List.of(4L, 9L));
            items.close();
        }
    }

    @Test
    void waitingInsideTheMapperIsRefused() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise fib = h.main.call("generateFibonacci", 3);
            assertThatThrownBy(() -> fib.map(i -> i.join())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("abstract placeholder");
            assertThatThrownBy(() -> fib.map(i -> CompletableFuture.completedFuture(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be async");
            fib.close();
        }
    }

    @Test
    void newTargetsInsideTheMapperAreRefusedWithAHint() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise fib = h.main.call("generateFibonacci", 3);
            assertThatThrownBy(() -> fib.map(i -> h.main.call("incrementCounter", new TestTargets.Counter(1), i)))
                    .isInstanceOf(capnweb.api.RpcException.class)
                    .hasMessageStartingWith("Can't construct an RpcTarget or RPC callback inside a mapper function.");
            fib.close();
        }
    }

    @Test
    void placeholderUsedAfterTheMapperIsRefused() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise[] leaked = new RpcPromise[1];
            RpcPromise fib = h.main.call("generateFibonacci", 3);
            fib.map(i -> {
                leaked[0] = i;
                return i;
            }).close();
            assertThatThrownBy(() -> leaked[0].call("x")).isInstanceOf(IllegalStateException.class);
            fib.close();
        }
    }
}
