package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.CallInterceptor;
import capnweb.api.RpcException;
import capnweb.api.RpcHeaders;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRequest;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link CallInterceptor}: what runs around each call a session delivers to a local object. */
@Timeout(10)
class InterceptorTest {
    private static Harness serverIntercepted(Object main, CallInterceptor... interceptors) {
        SessionOptions.Builder b = SessionOptions.builder();
        for (CallInterceptor i : interceptors) {
            b.interceptor(i);
        }
        return new Harness(main, Undefined.INSTANCE, b.build(), SessionOptions.defaults());
    }

    /** A main object that counts the calls that reached its methods. */
    public static final class Counted extends TestTargets.TestTarget {
        final AtomicInteger reached = new AtomicInteger();
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());

        @Override
        public double square(double i) {
            reached.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return super.square(i);
        }
    }

    @Test
    void anInterceptorSeesEachCallsTargetMethodArgumentsAndResult() {
        List<List<Object>> seen = Collections.synchronizedList(new ArrayList<>());
        TestTargets.TestTarget main = new TestTargets.TestTarget();
        try (Harness h = serverIntercepted(main, call -> call.proceed().whenComplete((result, error) ->
                seen.add(Arrays.asList(call.target(), call.method(), call.arguments(), result))))) {
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
            assertThat(h.main.call("add", 2, 5.5).join()).isEqualTo(7.5);
            assertThatThrownBy(() -> h.main.call("throwError").join()).hasMessageContaining("test error");
            assertThat(h.main.call("returnUndefined").join()).isEqualTo(Undefined.INSTANCE);
        }
        assertThat(seen).containsExactly(
                Arrays.asList(main, "square", List.of(3L), 9.0),
                Arrays.asList(main, "add", List.of(2L, 5.5), 7.5),
                Arrays.asList(main, "throwError", List.of(), null),
                Arrays.asList(main, "returnUndefined", List.of(), Undefined.INSTANCE));
    }

    @Test
    void aMethodThatThrowsGivesTheInterceptorAFailedStageWithItsError() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(),
                call -> call.proceed().whenComplete((result, error) -> seen.set(error)))) {
            assertThatThrownBy(() -> h.main.call("throwError").join()).hasMessageContaining("test error");
        }
        assertThat(seen.get()).isInstanceOf(RpcException.class).hasMessage("test error");
        assertThat(((RpcException) seen.get()).type()).isEqualTo("RangeError");
    }

    @Test
    void interceptorsRunInTheOrderAddedTheFirstOutermost() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CallInterceptor a = call -> {
            order.add("a in");
            return call.proceed().whenComplete((r, e) -> order.add("a out"));
        };
        CallInterceptor b = call -> {
            order.add("b in");
            return call.proceed().whenComplete((r, e) -> order.add("b out"));
        };
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(), a, b)) {
            assertThat(h.main.call("square", 4).join()).isEqualTo(16L);
        }
        assertThat(order).containsExactly("a in", "b in", "b out", "a out");
    }

    @Test
    void anInterceptorThatThrowsOrFailsRefusesTheCallAndTheMethodNeverRuns() {
        Counted main = new Counted();
        CallInterceptor refuseSquares = call -> {
            if (call.method().equals("square") && ((Number) call.arguments().get(0)).doubleValue() < 0) {
                throw RpcException.of("RangeError", "square refuses negative numbers here.");
            }
            if (call.method().equals("square") && ((Number) call.arguments().get(0)).doubleValue() > 100) {
                return CompletableFuture.failedFuture(RpcException.of("RangeError", "too large to square."));
            }
            return call.proceed();
        };
        try (Harness h = serverIntercepted(main, refuseSquares)) {
            assertThatThrownBy(() -> h.main.call("square", -1).join())
                    .hasMessageContaining("square refuses negative numbers here.");
            assertThatThrownBy(() -> h.main.call("square", 101).join()).hasMessageContaining("too large to square.");
            assertThat(main.reached).hasValue(0);
            assertThat(h.main.call("square", 5).join()).isEqualTo(25L);
            assertThat(main.reached).hasValue(1);
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void readingAPropertyRunsItsGetterThroughTheInterceptors() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(), call -> {
            seen.add(call.method() + call.arguments());
            if (call.target() instanceof TestTargets.Counter && call.method().equals("value")
                    && ((TestTargets.Counter) call.target()).value() > 100) {
                throw RpcException.of("Error", "A counter past 100 keeps its value to itself.");
            }
            return call.proceed();
        })) {
            RpcStub small = (RpcStub) h.main.call("makeCounter", 4).join();
            RpcStub big = (RpcStub) h.main.call("makeCounter", 101).join();
            assertThat(small.get("value").join()).isEqualTo(4L);
            assertThatThrownBy(() -> big.get("value").join()).hasMessageContaining("keeps its value to itself");
            // A method read as a property runs nothing until it is called.
            RpcStub increment = (RpcStub) small.get("increment").join();
            assertThat(seen).containsExactly("makeCounter[4]", "makeCounter[101]", "value[]", "value[]");
            assertThat(increment.invoke().join()).isEqualTo(5L);
            assertThat(seen).endsWith("increment[]");
            increment.close();
            small.close();
            big.close();
        }
    }

    @Test
    void anInterceptorMayAnswerInPlaceOfTheMethod() {
        Counted main = new Counted();
        try (Harness h = serverIntercepted(main, call -> CompletableFuture.completedFuture(Map.of("cached", true)))) {
            assertThat(h.main.call("square", 5).join()).isEqualTo(Map.of("cached", true));
        }
        assertThat(main.reached).hasValue(0);
    }

    /** A target whose method answers when the test says so. */
    public static final class SlowTarget implements RpcTarget {
        final CompletableFuture<Object> answer = new CompletableFuture<>();

        public CompletionStage<Object> slow() {
            return answer;
        }
    }

    @Test
    void anInterceptorSeesAnAsynchronousResultWhenItSettles() {
        SlowTarget main = new SlowTarget();
        List<Object> seen = Collections.synchronizedList(new ArrayList<>());
        try (Harness h = serverIntercepted(main, call -> call.proceed().whenComplete((r, e) -> seen.add(r)))) {
            RpcPromise slow = h.main.call("slow");
            h.settle();
            assertThat(seen).isEmpty();
            assertThat(slow.toCompletableFuture()).isNotDone();
            main.answer.complete("done");
            assertThat(slow.join()).isEqualTo("done");
            assertThat(seen).containsExactly("done");
        }
    }

    @Test
    void aDeadlineInterceptorFailsACallThatTakesTooLongAndTellsTheMethodsFuture() {
        // The README's deadline: the stage proceed() returns is the method's own future, which
        // orTimeout completes when time is up, so the method learns that nobody waits any more.
        CallInterceptor deadline = call -> call.proceed().toCompletableFuture()
                .orTimeout(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(
                        error instanceof java.util.concurrent.TimeoutException
                                ? RpcException.of("Error", call.method() + " did not answer within 200 ms.")
                                : error));
        SlowTarget main = new SlowTarget();
        try (Harness h = serverIntercepted(main, deadline)) {
            RpcPromise slow = h.main.call("slow");
            assertThatThrownBy(slow::join).isInstanceOf(RpcException.class)
                    .hasMessage("slow did not answer within 200 ms.");
            assertThat(main.answer).isCompletedExceptionally();
            slow.close();
        }
        SlowTarget quick = new SlowTarget();
        quick.answer.complete("in time");
        try (Harness h = serverIntercepted(quick, deadline)) {
            assertThat(h.main.call("slow").join()).isEqualTo("in time");
        }
        SlowTarget failing = new SlowTarget();
        failing.answer.completeExceptionally(RpcException.of("RangeError", "out of range"));
        try (Harness h = serverIntercepted(failing, deadline)) {
            assertThatThrownBy(() -> h.main.call("slow").join()).isInstanceOf(RpcException.class)
                    .hasMessage("out of range").extracting(e -> ((RpcException) e).type()).isEqualTo("RangeError");
        }
    }

    @Test
    void aFunctionIsInterceptedAsApplyOnTheSideItLivesOn() {
        List<List<Object>> seen = Collections.synchronizedList(new ArrayList<>());
        capnweb.api.RpcFunction squarer = TestTargets.squarer();
        SessionOptions client = SessionOptions.builder().interceptor(call -> {
            seen.add(List.of(call.target(), call.method(), call.arguments()));
            return call.proceed();
        }).build();
        try (Harness h = new Harness(new TestTargets.TestTarget(), Undefined.INSTANCE, SessionOptions.defaults(),
                client)) {
            assertThat(h.main.call("callFunction", squarer, 3).join()).isEqualTo(Map.of("result", 9L));
        }
        assertThat(seen).containsExactly(List.of(squarer, "apply", List.of(3L)));
    }

    @Test
    void callsMadeByMapReachTheInterceptorToo() {
        List<Object> squared = Collections.synchronizedList(new ArrayList<>());
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(), call -> {
            if (call.method().equals("square")) {
                squared.add(call.arguments().get(0));
            }
            return call.proceed();
        })) {
            RpcPromise fib = h.main.call("generateFibonacci", 5);
            RpcPromise squares = fib.map(i -> h.main.call("square", i));
            assertThat(squares.join()).isEqualTo(List.of(0L, 1L, 1L, 4L, 9L));
            fib.close();
            squares.close();
        }
        assertThat(squared).containsExactly(0L, 1L, 1L, 2L, 3L);
    }

    /** A main object whose method and getter answer with stages that have completed already. */
    public static final class Prompt extends TestTargets.TestTarget {
        public CompletionStage<Object> ready() {
            return CompletableFuture.completedFuture("ready");
        }

        public CompletionStage<Object> getSoon() {
            return CompletableFuture.completedFuture(7L);
        }
    }

    /** What the server sends for a few calls, one after another, with the given interceptors. */
    private static List<String> serverMessages(CallInterceptor... interceptors) {
        try (Harness h = serverIntercepted(new Prompt(), interceptors)) {
            assertThat(h.main.call("ready").join()).isEqualTo("ready");
            assertThat(h.main.get("soon").join()).isEqualTo(7L);
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
            // incrementCounter answers with the promise of its own call on the client's counter.
            assertThat(h.main.call("incrementCounter", new TestTargets.Counter(10), 3).join()).isEqualTo(13L);
            RpcPromise counter = h.main.call("makeCounter", 1);
            assertThat(counter.call("increment", 2).join()).isEqualTo(3L);
            assertThat(counter.get("value").join()).isEqualTo(3L);
            counter.close();
            assertThatThrownBy(() -> h.main.call("throwError").join()).hasMessageContaining("test error");
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
            return List.copyOf(h.serverTransport.sent);
        }
    }

    @Test
    void anInterceptorThatReturnsProceedsOwnStageChangesNothingOnTheWire() {
        List<Object> stages = Collections.synchronizedList(new ArrayList<>());
        List<String> plain = serverMessages();
        List<String> intercepted = serverMessages(call -> {
            CompletionStage<Object> s = call.proceed();
            stages.add(s);
            return s;
        });
        assertThat(intercepted).isEqualTo(plain);
        assertThat(stages).hasSize(8).hasAtLeastOneElementOfType(RpcPromise.class);
    }

    @Test
    void aStageMadeFromProceedsGivesTheSameResultsAndReleasesEverything() {
        // serverMessages asserts the results, and that the server's tables are back to their start.
        assertThat(serverMessages(call -> call.proceed().thenApply(result -> result))).isNotEmpty();
    }

    @Test
    void theInterceptorRunsOnTheThreadThatRunsTheMethod() {
        Counted main = new Counted();
        List<String> interceptorThreads = Collections.synchronizedList(new ArrayList<>());
        try (Harness h = serverIntercepted(main, call -> {
            interceptorThreads.add(Thread.currentThread().getName());
            return call.proceed();
        })) {
            for (int i = 0; i < 3; i++) {
                h.main.call("square", i).join();
            }
        }
        assertThat(interceptorThreads).isEqualTo(main.threads).hasSize(3);
    }

    @Test
    void theArgumentsCannotBeChanged() {
        AtomicReference<Throwable> refused = new AtomicReference<>();
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(), call -> {
            try {
                call.arguments().set(0, 100L);
            } catch (UnsupportedOperationException e) {
                refused.set(e);
            }
            return call.proceed();
        })) {
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
        }
        assertThat(refused.get()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void proceedingTwiceAfterReturningOrFromAnotherThreadIsRefusedWithASentence() throws Exception {
        List<String> refusals = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<CallInterceptor.Call> kept = new AtomicReference<>();
        Counted main = new Counted();
        try (Harness h = serverIntercepted(main, call -> {
            CompletionStage<Object> first = call.proceed();
            try {
                call.proceed();
            } catch (IllegalStateException e) {
                refusals.add(e.getMessage());
            }
            Thread other = new Thread(() -> {
                try {
                    call.proceed();
                } catch (IllegalStateException e) {
                    refusals.add(e.getMessage());
                }
            });
            other.start();
            other.join();
            kept.set(call);
            return first;
        })) {
            assertThat(h.main.call("square", 6).join()).isEqualTo(36L);
        }
        assertThatThrownBy(() -> kept.get().proceed()).isInstanceOf(IllegalStateException.class)
                .hasMessage("CallInterceptor.Call.proceed() for a call of 'square' was called after intercept "
                        + "returned: call it from intercept itself, on the thread that runs it, so that the "
                        + "session's calls still run one at a time and in order.");
        assertThat(refusals).containsExactly(
                "CallInterceptor.Call.proceed() for a call of 'square' was called twice: a call runs its method "
                        + "once; reuse the stage the first call gave.",
                "CallInterceptor.Call.proceed() for a call of 'square' was called from another thread: call it "
                        + "from intercept itself, on the thread that runs it, so that the session's calls still "
                        + "run one at a time and in order.");
        assertThat(main.reached).hasValue(1);
    }

    @Test
    void anInterceptorKnowsTheSessionAndMayAbortOneThatMisbehaves() {
        Map<RpcSession, AtomicInteger> callsPerSession = new java.util.concurrent.ConcurrentHashMap<>();
        String tooMany = "This session made more than two calls; it may make two.";
        AtomicReference<RpcSession> seen = new AtomicReference<>();
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(), call -> {
            seen.set(call.session());
            if (callsPerSession.computeIfAbsent(call.session(), s -> new AtomicInteger()).incrementAndGet() > 2) {
                RpcException reason = RpcException.of("Error", tooMany);
                call.session().abort(reason);
                throw reason;
            }
            return call.proceed();
        })) {
            assertThat(h.main.call("square", 1).join()).isEqualTo(1L);
            assertThat(h.main.call("square", 2).join()).isEqualTo(4L);
            assertThat(seen.get()).isSameAs(h.server);
            assertThatThrownBy(() -> h.main.call("square", 3).join()).hasMessageContaining(tooMany);
            for (RpcSession ended : List.of(h.client, h.server)) {
                assertThat(ended.closed().toCompletableFuture()).failsWithin(java.time.Duration.ofSeconds(5))
                        .withThrowableThat().withMessageContaining(tooMany);
                assertThat(ended.isOpen()).isFalse();
            }
        }
    }

    @Test
    void anInterceptorReadsTheRequestThatOpenedItsSessionOnAServer() {
        SessionRequest alice = SessionRequest.of(true, URI.create("ws://example.com/rpc"),
                RpcHeaders.ofPairs(List.of(Map.entry("Authorization", "Bearer alice"))), null);
        SessionRequest batchRequest = SessionRequest.of(false, URI.create("http://example.com/rpc"),
                RpcHeaders.ofPairs(List.of()), null);
        List<Object> seen = Collections.synchronizedList(new ArrayList<>());
        CallInterceptor byCaller = call -> {
            seen.add(call.session().request().orElse(null));
            return call.proceed();
        };
        SessionOptions options = SessionOptions.builder().interceptor(byCaller).build();
        CapnWebEngine engine = new CapnWebEngine();
        InMemoryTransport[] pair = InMemoryTransport.pair();
        RpcSession server = engine.newSession(pair[1], new TestTargets.TestTarget(), options, alice);
        RpcSession client = engine.newSession(pair[0], Undefined.INSTANCE, SessionOptions.defaults());
        try (RpcStub main = client.main()) {
            assertThat(main.call("square", 3).join()).isEqualTo(9L);
            assertThat(server.request()).containsSame(alice);
            assertThat(client.request()).as("a session no server request opened").isEmpty();
        } finally {
            client.close();
            server.close();
        }
        String batch = "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]\n[\"pull\",1]";
        assertThat(engine.serveBatch(batch, new TestTargets.TestTarget(), options, batchRequest)
                .toCompletableFuture().join()).isEqualTo("[\"resolve\",1,16]");
        assertThat(engine.serveBatch(batch, new TestTargets.TestTarget(), options)
                .toCompletableFuture().join()).isEqualTo("[\"resolve\",1,16]");
        assertThat(seen).containsExactly(alice, batchRequest, null);
    }

    @Test
    void anInterceptorThatReturnsNullFailsTheCallWithASentence() {
        try (Harness h = serverIntercepted(new TestTargets.TestTarget(), call -> null)) {
            assertThatThrownBy(() -> h.main.call("square", 2).join())
                    .hasMessageContaining("returned null for a call of 'square': return call.proceed(), a stage "
                            + "made from it, or a stage of its own.");
        }
    }
}
