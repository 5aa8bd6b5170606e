package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leaks: hundreds of WebSocket sessions that call, are called back and dispose what they got
 * leave the server where it started: every object it exported closed, every session gone, its
 * threads and heap back near their baseline.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TransportLeakTest extends HardeningSupport {
    private static final int SESSIONS = 400;
    private static final int CONCURRENT = 10;
    private static final long HEAP_TOLERANCE = 4L * 1024 * 1024;
    private static final int THREAD_TOLERANCE = 12;

    @Test
    void sessionsThatCallCallBackAndDisposeLeaveNothingBehind() throws Exception {
        RpcServer server = startServer(b -> b);
        // Warm up: classes loaded, pools at their working size.
        runSessions(server, 3 * CONCURRENT);
        await("warm-up sessions ended", WAIT, () -> server.openSessions() == 0);
        int threadsBefore = Thread.activeCount();
        long heapBefore = usedHeapAfterGc();
        int mainsBefore = state.mainsCreated.get();

        runSessions(server, SESSIONS);

        await("every session ended on the server", WAIT, () -> server.openSessions() == 0);
        assertThat(state.mainsCreated.get() - mainsBefore).isEqualTo(SESSIONS);
        await("every main object closed", WAIT, () -> state.mainsClosed.get() == state.mainsCreated.get());
        await("every resource closed", WAIT, () -> state.resourcesClosed.get() == state.resourcesOpened.get());
        assertThat(state.resourcesOpened.get()).isEqualTo(2 * (SESSIONS + 3 * CONCURRENT));
        // Pools shrink on their own schedule; wait a little for threads that are on their way out.
        await("threads back near the baseline of " + threadsBefore, Duration.ofSeconds(20),
                () -> Thread.activeCount() <= threadsBefore + THREAD_TOLERANCE);
        long heapAfter = usedHeapAfterGc();
        System.out.printf("%s leak check: %d sessions; threads %d -> %d; heap after GC %d -> %d KiB%n",
                provider().name(), SESSIONS, threadsBefore, Thread.activeCount(), heapBefore / 1024, heapAfter / 1024);
        assertThat(heapAfter).as("heap after GC, bytes").isLessThan(heapBefore + HEAP_TOLERANCE);
        assertNewSessionWorks(server);
    }

    private void runSessions(RpcServer server, int count) throws Exception {
        for (int done = 0; done < count; done += CONCURRENT) {
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(CONCURRENT, count - done); i++) {
                batch.add(CompletableFuture.runAsync(() -> oneSession(server)));
            }
            for (CompletableFuture<Void> f : batch) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private void oneSession(RpcServer server) {
        HardeningTargets.ClientObject mine = new HardeningTargets.ClientObject();
        RpcSession session = provider().connect(webSocketUri(server), ClientOptions.defaults(), engine())
                .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        try {
            RpcFunction triple = args -> ((Number) args[0]).longValue() * 3;
            try (RpcStub main = session.main()) {
                assertThat(main.call("add", 1, 2).join(WAIT)).isEqualTo(3L);
                try (RpcPromise back = main.call("callBack", triple, 7)) {
                    assertThat(back.join(WAIT)).isEqualTo(21L);
                }
                try (RpcPromise resource = main.call("openResource");
                     RpcPromise pong = resource.call("ping")) {
                    assertThat(pong.join(WAIT)).isEqualTo("pong");
                }
                try (RpcPromise resource = main.call("openResource")) {
                    assertThat(resource.call("ping").join(WAIT)).isEqualTo("pong");
                }
                try (RpcPromise echoed = main.call("echo", List.of(1, "two", List.of(3)))) {
                    assertThat(echoed.join(WAIT)).isEqualTo(List.of(1L, "two", List.of(3L)));
                }
                try (RpcPromise kept = main.call("keep", mine)) {
                    assertThat(kept.join(WAIT)).isEqualTo(true);
                }
            }
            // Everything the client made or received is released; only the mains remain, and the
            // object the server keeps.
            await("the client's tables back to the mains", WAIT,
                    () -> session.stats().equals(new SessionStats(1, 2)));
        } finally {
            session.close(Duration.ofSeconds(5));
        }
        try {
            assertThat(mine.closed.await(10, TimeUnit.SECONDS)).as("the kept client object was released").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
