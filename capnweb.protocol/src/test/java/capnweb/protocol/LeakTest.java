package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.SessionStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leaks in the engine: hundreds of sessions that call, are called back, pass objects both ways
 * and dispose them end with both tables back at their mains before the session closes, every
 * released target closed, and the heap and thread count back near where they started.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeakTest {
    private static final int SESSIONS = 400;
    private static final long HEAP_TOLERANCE = 4L * 1024 * 1024;
    private static final SessionStats MAINS_ONLY = new SessionStats(1, 1);

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    private static void oneSession() {
        TestTargets.TestTarget target = new TestTargets.TestTarget();
        try (Harness h = new Harness(target)) {
            RpcStub main = h.main;
            assertThat(main.call("square", 4).join(Duration.ofSeconds(5))).isEqualTo(16L);
            RpcFunction triple = args -> ((Number) args[0]).doubleValue() * 3;
            try (RpcPromise back = main.call("callFunction", triple, 5)) {
                assertThat(back.join(Duration.ofSeconds(5))).isEqualTo(java.util.Map.of("result", 15L));
            }
            try (RpcPromise counter = main.call("makeCounter", 10);
                 RpcPromise incremented = counter.call("increment", 5);
                 RpcPromise again = main.call("incrementCounter", counter, 2)) {
                assertThat(incremented.join(Duration.ofSeconds(5))).isEqualTo(15L);
                assertThat(again.join(Duration.ofSeconds(5))).isEqualTo(17L);
            }
            try (RpcPromise echoed = main.call("echo", List.of(1, "two", List.of(3)))) {
                assertThat(echoed.join(Duration.ofSeconds(5))).isEqualTo(List.of(1L, "two", List.of(3L)));
            }
            try (RpcPromise fib = main.call("generateFibonacci", 10)) {
                assertThat((java.util.List<?>) fib.join(Duration.ofSeconds(5))).hasSize(10);
            }
            h.awaitBaseline();
            assertThat(h.client.stats()).as("client tables after disposal").isEqualTo(MAINS_ONLY);
            assertThat(h.server.stats()).as("server tables after disposal").isEqualTo(MAINS_ONLY);
            assertThat(target.made).hasSize(1);
            assertThat(target.made.get(0).closed).as("the released counter was closed").hasValue(1);
        }
    }

    @Test
    void manySessionsLeaveTablesThreadsAndHeapAtBaseline() throws Exception {
        for (int i = 0; i < 40; i++) {
            oneSession();
        }
        int threadsBefore = Thread.activeCount();
        long heapBefore = usedHeapAfterGc();

        for (int i = 0; i < SESSIONS; i++) {
            oneSession();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Thread.activeCount() > threadsBefore + 4 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long heapAfter = usedHeapAfterGc();
        System.out.printf("engine leak check: %d sessions; threads %d -> %d; heap after GC %d -> %d KiB%n",
                SESSIONS, threadsBefore, Thread.activeCount(), heapBefore / 1024, heapAfter / 1024);
        assertThat(Thread.activeCount()).as("live threads").isLessThanOrEqualTo(threadsBefore + 4);
        assertThat(heapAfter).as("heap after GC, bytes").isLessThan(heapBefore + HEAP_TOLERANCE);
    }
}
