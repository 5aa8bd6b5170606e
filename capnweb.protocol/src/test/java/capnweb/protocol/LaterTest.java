package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session's promise type and event loop: the ordering E-order is built on. */
@Timeout(10)
class LaterTest {
    private final SessionExecutor executor = new SessionExecutor(EnginePools.SHARED);

    private List<String> runOnExecutor(java.util.function.Consumer<List<String>> body) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> body.accept(log));
        executor.execute(() -> done.complete(null));
        done.get(5, TimeUnit.SECONDS);
        return log;
    }

    @Test
    void reactionsRunInRegistrationOrderAfterTheCurrentTask() throws Exception {
        List<String> log = runOnExecutor(l -> {
            Later<String> p = Later.pending();
            for (int i = 0; i < 5; i++) {
                int n = i;
                p.whenSettled((v, e) -> l.add(v + n));
            }
            p.resolve("r");
            l.add("sync");
        });
        assertThat(log).containsExactly("sync", "r0", "r1", "r2", "r3", "r4");
    }

    @Test
    void microtasksQueuedByAReactionRunAfterTheOtherReactionsAndOneFailingReactionStopsNoOther() throws Exception {
        long escapedBefore = SessionExecutor.ESCAPED.get();
        List<String> log = runOnExecutor(l -> {
            Later<String> p = Later.pending();
            p.whenSettled((v, e) -> {
                l.add("first");
                executor.microtask(() -> l.add("queued by first"));
            });
            p.whenSettled((v, e) -> {
                throw new IllegalStateException("a reaction that fails");
            });
            p.whenSettled((v, e) -> l.add("third " + v));
            p.resolve("r");
        });
        assertThat(log).containsExactly("first", "third r", "queued by first");
        assertThat(SessionExecutor.ESCAPED.get()).isEqualTo(escapedBefore + 1);
    }

    @Test
    void microtasksRunBeforeTheNextTask() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            executor.execute(() -> {
                log.add("next task");
                done.complete(null);
            });
            executor.microtask(() -> {
                log.add("micro 1");
                executor.microtask(() -> log.add("micro 2"));
            });
            log.add("task");
        });
        done.get(5, TimeUnit.SECONDS);
        assertThat(log).containsExactly("task", "micro 1", "micro 2", "next task");
    }

    @Test
    void thenAdoptsAReturnedPromise() throws Exception {
        List<String> log = runOnExecutor(l -> {
            Later<String> inner = Later.pending();
            Later<Object> outer = Later.resolved("a").then(v -> inner);
            outer.whenSettled((v, e) -> l.add("outer " + v));
            inner.resolve("b");
        });
        assertThat(log).containsExactly("outer b");
    }

    @Test
    void rejectionSkipsFulfilmentHandlersAndReachesTheErrorHandler() throws Exception {
        List<String> log = runOnExecutor(l -> {
            Later.<String>rejected(new IllegalStateException("no"))
                    .then(v -> "not called")
                    .then(v -> "not called either", e -> "recovered from " + e.getMessage())
                    .whenSettled((v, e) -> l.add(String.valueOf(v)));
        });
        assertThat(log).containsExactly("recovered from no");
    }

    @Test
    void thrownExceptionRejectsTheNextPromise() throws Exception {
        List<String> log = runOnExecutor(l -> Later.resolved(1).then(v -> {
            throw new IllegalArgumentException("bad");
        }).whenSettled((v, e) -> l.add(e.getMessage())));
        assertThat(log).containsExactly("bad");
    }

    @Test
    void settlingTwiceKeepsTheFirstOutcome() {
        Later<String> p = Later.pending();
        p.resolve("first");
        p.reject(new IllegalStateException());
        p.resolve("second");
        assertThat(p.isFulfilled()).isTrue();
        assertThat(p.value()).isEqualTo("first");
    }

    @Test
    void allWaitsForEveryPromiseOrTheFirstFailure() throws Exception {
        List<String> log = runOnExecutor(l -> {
            Later<String> a = Later.pending();
            Later<String> b = Later.pending();
            Later.all(List.of(a, b)).whenSettled((v, e) -> l.add(e == null ? "all done" : "failed"));
            a.resolve("x");
            l.add("after a");
            b.resolve("y");
            Later<String> c = Later.pending();
            Later.all(List.of(c, Later.pending())).whenSettled((v, e) -> l.add(e == null ? "?" : "failed " + e.getMessage()));
            c.reject(new IllegalStateException("c"));
        });
        assertThat(log).containsExactly("after a", "all done", "failed c");
        assertThat(Later.all(new ArrayList<>()).isFulfilled()).isTrue();
    }

    @Test
    void taskThatThrowsDoesNotStopTheExecutor() throws Exception {
        CompletableFuture<String> after = new CompletableFuture<>();
        executor.execute(() -> {
            throw new IllegalStateException("boom");
        });
        executor.execute(() -> after.complete("still running"));
        assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("still running");
    }
}
