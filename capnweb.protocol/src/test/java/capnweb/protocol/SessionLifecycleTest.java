package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.RpcTimeoutException;
import capnweb.api.SessionOptions;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SessionLifecycleTest {

    /** A target whose calls can hang, to test what ends them. */
    public static class Hanging implements RpcTarget, AutoCloseable {
        volatile boolean closed;

        public long getValue() {
            return 42;
        }

        public CompletableFuture<Object> hang() {
            return new CompletableFuture<>();
        }

        public TestTargets.Counter makeCounter() {
            return new TestTargets.Counter(0);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void lostConnectionRejectsPendingCallsAndLaterOnes() {
        Hanging target = new Hanging();
        Harness h = new Harness(target);
        assertThat(h.main.call("getValue").join()).isEqualTo(42L);
        RpcPromise hanging = h.main.call("hang");
        CompletableFuture<Object> f = hanging.toCompletableFuture();
        Harness.sync(h.client);
        Harness.sync(h.server);
        h.clientTransport.lose(new IllegalStateException("socket reset"));
        assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(RpcException.class)
                .withMessage("The RPC connection was lost: socket reset");
        assertThatThrownBy(() -> h.main.call("getValue").join()).isInstanceOf(RpcException.class)
                .hasMessage("The RPC connection was lost: socket reset");
        assertThat(h.client.isOpen()).isFalse();
        assertThat(h.client.closed().toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
        // The server saw its transport end too, and released what it exported.
        Harness.sync(h.server);
        assertThat(h.server.isOpen()).isFalse();
        assertThat(target.closed).isTrue();
    }

    @Test
    void onBrokenCallbacksRunInRegistrationOrder() throws Exception {
        Harness h = new Harness(new Hanging());
        List<String> events = new CopyOnWriteArrayList<>();
        h.main.onBroken(e -> events.add("main: " + e.getMessage()));
        RpcStub counter = (RpcStub) h.main.call("makeCounter").join();
        counter.onBroken(e -> events.add("counter: " + e.getMessage()));
        RpcPromise hanging = h.main.call("hang");
        hanging.onBroken(e -> events.add("hang: " + e.getMessage()));
        Harness.sync(h.client);
        h.clientTransport.lose(new IllegalStateException("bye"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events).containsExactly("main: The RPC connection was lost: bye",
                "counter: The RPC connection was lost: bye", "hang: The RPC connection was lost: bye");
    }

    @Test
    void onBrokenOfARejectedPromiseRunsAtOnce() throws Exception {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise p = h.main.call("throwError");
            assertThatThrownBy(p::join).hasMessage("test error");
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            p.onBroken(seen::complete);
            assertThat(seen.get(5, TimeUnit.SECONDS)).hasMessage("test error");
        }
    }

    @Test
    void registrationCloseStopsTheCallback() throws Exception {
        Harness h = new Harness(new Hanging());
        List<Throwable> seen = Collections.synchronizedList(new ArrayList<>());
        h.main.onBroken(seen::add).close();
        CompletableFuture<Throwable> other = new CompletableFuture<>();
        h.main.onBroken(other::complete);
        h.clientTransport.lose(new IllegalStateException("bye"));
        other.get(5, TimeUnit.SECONDS);
        Thread.sleep(20);
        assertThat(seen).isEmpty();
    }

    @Test
    void closingTheSessionRejectsPendingCallsAndClosesTheTransport() {
        Harness h = new Harness(new Hanging());
        RpcPromise hanging = h.main.call("hang");
        CompletableFuture<Object> f = hanging.toCompletableFuture();
        Harness.sync(h.client);
        assertThat(h.client.close(Duration.ofSeconds(5))).isTrue();
        assertThat(h.clientTransport.closedCleanly).isTrue();
        assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("RPC session was closed.");
        assertThat(h.client.closed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(1));
        h.client.close(); // twice is fine
    }

    @Test
    void abortSendsTheReasonToThePeer() {
        Harness h = new Harness(new TestTargets.TestTarget());
        h.client.abort(RpcException.of("RangeError", "client gave up"));
        assertThat(h.server.closed().toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.type()).isEqualTo("RangeError");
                    assertThat(e.getMessage()).isEqualTo("client gave up");
                });
        assertThat(h.clientTransport.sent).last().isEqualTo("[\"abort\",[\"error\",\"RangeError\",\"client gave up\"]]");
    }

    @Test
    void localAbortReasonReachesPendingCallsAsRpcExceptionWithCause() {
        Harness h = new Harness(new Hanging());
        RpcPromise hanging = h.main.call("hang");
        Harness.sync(h.client);
        IllegalStateException reason = new IllegalStateException("shutting down");
        h.client.abort(reason);
        assertThatThrownBy(hanging::join).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("shutting down");
            assertThat(e.getCause()).isSameAs(reason);
        });
        assertThat(h.clientTransport.sent).last().isEqualTo("[\"abort\",[\"error\",\"Error\",\"shutting down\"]]");
    }

    @Test
    void callsOnOneTargetStartInArrivalOrder() {
        List<Long> order = new CopyOnWriteArrayList<>();
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public long record(long id) {
                order.add(id);
                return id;
            }
        };
        try (Harness h = new Harness(target)) {
            List<RpcPromise> calls = new ArrayList<>();
            for (long i = 0; i < 50; i++) {
                calls.add(h.main.call("record", i));
            }
            calls.forEach(RpcPromise::join);
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < 50; i++) {
                expected.add(i);
            }
            assertThat(order).isEqualTo(expected);
        }
    }

    @Test
    void pipelinedCallsKeepOrderAcrossMethods() {
        List<Long> order = new CopyOnWriteArrayList<>();
        RpcTarget inner = new RpcTarget() {
            @SuppressWarnings("unused")
            public long method1(long id) {
                order.add(id);
                return id;
            }

            @SuppressWarnings("unused")
            public long method2(long id) {
                order.add(id);
                return id;
            }
        };
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public CompletableFuture<Object> getObject() {
                return CompletableFuture.supplyAsync(() -> inner);
            }
        };
        try (Harness h = new Harness(target)) {
            RpcPromise obj = h.main.call("getObject");
            List<RpcPromise> calls = List.of(obj.call("method1", 1), obj.call("method2", 2), obj.call("method1", 3),
                    obj.call("method2", 4));
            calls.forEach(RpcPromise::join);
            assertThat(order).containsExactly(1L, 2L, 3L, 4L);
            obj.close();
        }
    }

    @Test
    void joinTimesOutWithTheDefaultTimeout() {
        SessionOptions options = SessionOptions.builder().defaultTimeout(Duration.ofMillis(100)).build();
        try (Harness h = new Harness(new Hanging(), Undefined.INSTANCE, SessionOptions.defaults(), options)) {
            assertThatThrownBy(() -> h.main.call("hang").join()).isInstanceOf(RpcTimeoutException.class)
                    .hasMessageContaining("100 ms");
            assertThatThrownBy(() -> h.main.call("hang").join(Duration.ofMillis(50)))
                    .isInstanceOf(RpcTimeoutException.class);
        }
    }

    @Test
    void joinOnTheSessionThreadFailsInsteadOfDeadlocking() {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public long blocking(RpcStub callback) {
                try {
                    callback.invoke().join();
                } catch (IllegalStateException e) {
                    seen.complete(e);
                }
                return 1;
            }
        };
        try (Harness h = new Harness(target)) {
            capnweb.api.RpcFunction fn = args -> 5;
            assertThat(h.main.call("blocking", fn).join()).isEqualTo(1L);
            assertThat(seen).succeedsWithin(Duration.ofSeconds(1))
                    .satisfies(t -> assertThat(t).hasMessageContaining("would wait forever"));
        }
    }

    @Test
    void joinWithTypeConverts() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            int nine = h.main.call("square", 3).join(Integer.class);
            assertThat(nine).isEqualTo(9);
            assertThatThrownBy(() -> h.main.call("square", 1.5).join(Long.class)).isInstanceOf(RpcException.class);
        }
    }

    @Test
    void completionCallbacksPullTheResult() throws Exception {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThat(h.main.call("square", 4).thenApply(v -> (Long) v * 2).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)).isEqualTo(32L);
            assertThat(h.main.call("throwError").exceptionally(e -> "caught " + e.getMessage())
                    .toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("caught test error");
        }
    }

    @Test
    void promiseUsedOnlyForPipeliningSendsNoPull() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise counter = h.main.call("makeCounter", 1);
            assertThat(counter.call("increment").join()).isEqualTo(2L);
            assertThat(h.clientTransport.sent).containsExactly(
                    "[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]",
                    "[\"push\",[\"pipeline\",1,[\"increment\"],[]]]",
                    "[\"pull\",2]",
                    "[\"release\",2,1]");
            counter.close();
        }
    }

    @Test
    void closingAPromiseClosesTheStubItResolvedToButNotADuplicate() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise promise = h.main.call("makeCounter", 1);
            RpcStub counter = (RpcStub) promise.join();
            RpcStub kept = counter.dup();
            promise.close();
            assertThatThrownBy(() -> counter.call("increment").join())
                    .hasMessage("Attempted to use RPC stub after it has been disposed.");
            assertThat(kept.call("increment").join()).isEqualTo(2L);
            kept.close();
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void closedStubFailsClearlyAndClosingTwiceIsHarmless() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 1).join();
            counter.close();
            counter.close();
            assertThatThrownBy(() -> counter.call("increment").join())
                    .hasMessage("Attempted to use RPC stub after it has been disposed.");
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void dupKeepsTheTargetAliveUntilEveryCopyIsClosed() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 1).join();
            RpcStub copy = counter.dup();
            counter.close();
            assertThat(copy.call("increment").join()).isEqualTo(2L);
            copy.close();
            h.awaitBaseline();
            assertThat(h.client.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void drainCompletesAfterPulledResultsWereSent() {
        try (Harness h = new Harness(new Hanging())) {
            assertThat(h.server.drain().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void onSendErrorCanRevealOrRewriteErrors() {
        SessionOptions reveal = SessionOptions.builder().onSendError(Optional::of).build();
        try (Harness h = new Harness(new TestTargets.TestTarget(), Undefined.INSTANCE, reveal,
                SessionOptions.defaults())) {
            assertThatThrownBy(() -> h.main.call("throwError").join()).isInstanceOfSatisfying(RpcException.class,
                    e -> assertThat(e.remoteStack()).hasValueSatisfying(s -> assertThat(s).contains("TestTargets")));
        }
        SessionOptions rewrite = SessionOptions.builder()
                .onSendError(e -> Optional.of(RpcException.of("TypeError", "rewritten"))).build();
        try (Harness h = new Harness(new TestTargets.TestTarget(), Undefined.INSTANCE, rewrite,
                SessionOptions.defaults())) {
            assertThatThrownBy(() -> h.main.call("throwError").join()).isInstanceOfSatisfying(RpcException.class,
                    e -> {
                        assertThat(e.type()).isEqualTo("TypeError");
                        assertThat(e.getMessage()).isEqualTo("rewritten");
                    });
        }
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThatThrownBy(() -> h.main.call("throwError").join()).isInstanceOfSatisfying(RpcException.class,
                    e -> assertThat(e.remoteStack()).isEmpty());
        }
    }

    @Test
    void sessionWithoutMainObjectRejectsCalls() {
        try (Harness h = new Harness(Undefined.INSTANCE)) {
            assertThatThrownBy(() -> h.main.call("x").join()).hasMessage("This connection has no main object.");
        }
    }

    @Test
    void argumentsThatCannotBeSentRejectTheCall() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            assertThatThrownBy(() -> h.main.call("echo", new Object()).join()).isInstanceOf(RpcException.class)
                    .hasMessageStartingWith("Cannot serialize value: java.lang.Object@");
            List<Object> cyclic = new ArrayList<>();
            cyclic.add(cyclic);
            assertThatThrownBy(() -> h.main.call("echo", cyclic).join())
                    .hasMessageContaining("Does the message contain cycles?");
            assertThat(h.main.call("square", 2).join()).isEqualTo(4L);
        }
    }

    @Test
    void resultThatCannotBeSentRejects() {
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public Object bad() {
                return new Thread();
            }
        };
        try (Harness h = new Harness(target)) {
            assertThatThrownBy(() -> h.main.call("bad").join()).isInstanceOfSatisfying(RpcException.class,
                    e -> assertThat(e.type()).isEqualTo("TypeError"));
        }
    }
}
