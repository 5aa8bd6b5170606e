package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.OutgoingCallInterceptor;
import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link OutgoingCallInterceptor}: what runs around each call the application makes through a stub. */
@Timeout(10)
class OutgoingInterceptorTest {
    private static Harness clientIntercepted(Object serverMain, OutgoingCallInterceptor... interceptors) {
        return new Harness(serverMain, Undefined.INSTANCE, SessionOptions.defaults(), options(interceptors));
    }

    private static SessionOptions options(OutgoingCallInterceptor... interceptors) {
        SessionOptions.Builder b = SessionOptions.builder();
        for (OutgoingCallInterceptor i : interceptors) {
            b.outgoingInterceptor(i);
        }
        return b.build();
    }

    /** A main object that counts the calls that reached it, with a counter behind a property. */
    public static final class Api extends TestTargets.TestTarget {
        final AtomicInteger reached = new AtomicInteger();
        final TestTargets.Counter counter = new TestTargets.Counter(100);

        @Override
        public double square(double i) {
            reached.incrementAndGet();
            return super.square(i);
        }

        public TestTargets.Counter counter() {
            return counter;
        }

        public RpcFunction makeDoubler() {
            return args -> ((Number) args[0]).doubleValue() * 2;
        }
    }

    /** The typed view a client declares. */
    public interface Calculator {
        double square(double x);
    }

    @Test
    void anInterceptorSeesEachCallsPathMethodArgumentsAndSessionWhateverStubMakesIt() {
        List<List<Object>> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<RpcSession> sessionSeen = new AtomicReference<>();
        try (Harness h = clientIntercepted(new Api(), call -> {
            seen.add(Arrays.asList(call.path(), call.method(), call.arguments()));
            sessionSeen.set(call.session());
            return call.proceed();
        })) {
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
            try (RpcPromise counter = h.main.call("makeCounter", 10)) {
                assertThat(counter.call("increment", 5).join()).isEqualTo(15L);
            }
            assertThat(h.main.get("counter").call("increment", 2).join()).isEqualTo(102L);
            try (RpcPromise doubler = h.main.call("makeDoubler")) {
                assertThat(doubler.invoke(4).join()).isEqualTo(8L);
            }
            assertThat(h.main.as(Calculator.class).square(1.5)).isEqualTo(2.25);
            assertThat(h.main.get("counter").get("value").join()).isEqualTo(102L);   // a read: no call
            assertThat(sessionSeen.get()).isSameAs(h.client);
        }
        assertThat(seen).containsExactly(
                Arrays.asList(List.of("square"), "square", List.of(3)),
                Arrays.asList(List.of("makeCounter"), "makeCounter", List.of(10)),
                Arrays.asList(List.of("increment"), "increment", List.of(5)),
                Arrays.asList(List.of("counter", "increment"), "increment", List.of(2)),
                Arrays.asList(List.of("makeDoubler"), "makeDoubler", List.of()),
                Arrays.asList(List.of(), "", List.of(4)),
                Arrays.asList(List.of("square"), "square", List.of(1.5)));
    }

    /** Notes its entry and exit in {@code order}, and keeps the promise proceed() gave. */
    private static OutgoingCallInterceptor noting(String name, List<String> order, AtomicReference<RpcPromise> got) {
        return call -> {
            order.add(name + " in");
            RpcPromise p = call.proceed();
            order.add(name + " out");
            got.set(p);
            return p;
        };
    }

    @Test
    void interceptorsRunInTheOrderAddedTheFirstOutermostAndTheApplicationGetsWhatTheFirstReturns() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<RpcPromise> fromInner = new AtomicReference<>();
        AtomicReference<RpcPromise> fromOuter = new AtomicReference<>();
        try (Harness h = clientIntercepted(new Api(), noting("outer", order, fromOuter),
                noting("inner", order, fromInner))) {
            RpcPromise square = h.main.call("square", 4);
            assertThat((Object) square).isSameAs(fromOuter.get()).isSameAs(fromInner.get());
            assertThat(square.join()).isEqualTo(16L);
        }
        assertThat(order).containsExactly("outer in", "inner in", "inner out", "outer out");
    }

    @Test
    void anInterceptorThatThrowsStopsTheCallBeforeItLeavesAndItsPromiseRejectsWithWhatWasThrown() {
        Api api = new Api();
        OutgoingCallInterceptor noNegatives = call -> {
            if (call.method().equals("square") && ((Number) call.arguments().get(0)).doubleValue() < 0) {
                throw RpcException.of("RangeError", "This client does not square negative numbers.");
            }
            return call.proceed();
        };
        try (Harness h = clientIntercepted(api, noNegatives)) {
            RpcPromise refused = h.main.call("square", -1);
            assertThatThrownBy(refused::join).isInstanceOf(RpcException.class)
                    .hasMessage("This client does not square negative numbers.")
                    .satisfies(e -> assertThat(((RpcException) e).type()).isEqualTo("RangeError"));
            assertThatThrownBy(() -> refused.call("toString").join())
                    .hasMessage("This client does not square negative numbers.");
            refused.close();
            assertThat(h.main.call("square", 5).join()).isEqualTo(25L);
            h.awaitBaseline();
            assertThat(api.reached).hasValue(1);
            assertThat(h.clientTransport.sent).noneMatch(message -> message.contains("-1"));
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Test
    void aCheckedExceptionStopsTheCallWithAnErrorThatCarriesIt() {
        Exception thrown = new java.io.IOException("The quota file could not be read.");
        try (Harness h = clientIntercepted(new Api(), call -> {
            throw thrown;
        })) {
            assertThatThrownBy(() -> h.main.call("square", 2).join()).isInstanceOf(RpcException.class)
                    .hasMessage("The quota file could not be read.").hasCause(thrown);
        }
    }

    @Test
    void aCallSentAndThenRefusedOrLostToNullIsReleasedOnThePeer() {
        Api api = new Api();
        AtomicBoolean returnNull = new AtomicBoolean();
        OutgoingCallInterceptor sendsThenRegrets = call -> {
            call.proceed();
            if (returnNull.get()) {
                return null;
            }
            throw new IllegalStateException("Changed its mind about " + call.method() + ".");
        };
        try (Harness h = clientIntercepted(api, sendsThenRegrets)) {
            assertThatThrownBy(() -> h.main.call("makeCounter", 1).join())
                    .hasMessage("Changed its mind about makeCounter.");
            returnNull.set(true);
            assertThatThrownBy(() -> h.main.call("makeCounter", 2).join())
                    .isInstanceOf(RpcException.class)
                    .hasMessageContaining("The OutgoingCallInterceptor ")
                    .hasMessageContaining(" returned null for a call of 'makeCounter': return call.proceed()")
                    .satisfies(e -> assertThat(((RpcException) e).type()).isEqualTo("TypeError"));
            h.awaitBaseline();
            // Both calls reached the server; what they made was released when the client dropped them.
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
            assertThat(h.client.stats()).isEqualTo(new SessionStats(1, 1));
            assertThat(h.clientTransport.sent).filteredOn(m -> m.startsWith("[\"release\"")).hasSize(2);
        }
    }

    @Test
    void proceedRunsOnceAndOnlyWhileItsInterceptorRuns() {
        AtomicReference<OutgoingCallInterceptor.Call> kept = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        try (Harness h = clientIntercepted(new Api(), call -> {
            kept.set(call);
            RpcPromise p = call.proceed();
            try {
                call.proceed();
            } catch (IllegalStateException e) {
                second.set(e);
            }
            return p;
        })) {
            assertThat(h.main.call("square", 6).join()).isEqualTo(36L);
            assertThat(second.get()).hasMessage("OutgoingCallInterceptor.Call.proceed() for a call of 'square' was"
                    + " called twice: a call is sent once; reuse the promise the first call gave.");
            CompletableFuture<Throwable> later = CompletableFuture.supplyAsync(() -> {
                try {
                    kept.get().proceed();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertThat(later.join()).hasMessage("OutgoingCallInterceptor.Call.proceed() for a call of 'square' was"
                    + " called after intercept returned: call it from intercept itself, so that calls leave in the"
                    + " order they were made.");
        }
    }

    @Test
    void aCallbackOnTheCallsPromiseAsksForTheResultTheApplicationNeverAwaits() {
        List<Object> results = Collections.synchronizedList(new ArrayList<>());
        try (Harness h = clientIntercepted(new Api(), call -> {
            RpcPromise p = call.proceed();
            p.whenComplete((result, error) -> results.add(result));
            return p;
        })) {
            RpcPromise notAwaited = h.main.call("square", 7);
            h.settle();
            assertThat(results).containsExactly(49L);
            assertThat(h.clientTransport.sent).contains("[\"pull\",1]");
            assertThat(notAwaited.join()).isEqualTo(49L);
        }
    }

    @Test
    void anInterceptorMayAnswerWithACallOnAnotherSessionAsAFallback() {
        Api primary = new Api();
        Api backup = new Api();
        AtomicBoolean primaryDown = new AtomicBoolean(true);
        try (Harness backupSide = new Harness(backup);
             Harness h = clientIntercepted(primary, call -> primaryDown.get()
                     ? backupSide.main.call(call.method(), call.arguments().toArray())
                     : call.proceed())) {
            assertThat(h.main.call("square", 3).join()).isEqualTo(9L);
            assertThat(backup.reached).hasValue(1);
            assertThat(primary.reached).hasValue(0);
            primaryDown.set(false);
            assertThat(h.main.call("square", 4).join()).isEqualTo(16L);
            assertThat(primary.reached).hasValue(1);
        }
    }

    @Test
    void aPromiseThisLibraryDidNotMakeIsRefusedWithASentence() {
        RpcPromise foreign = (RpcPromise) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RpcPromise.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException();
                });
        Api api = new Api();
        try (Harness h = clientIntercepted(api, call -> foreign)) {
            assertThatThrownBy(() -> h.main.call("square", 2).join()).isInstanceOf(RpcException.class)
                    .hasMessageContaining(" returned a promise this library did not make for a call of 'square':"
                            + " return call.proceed(), or a promise of a session.");
            assertThat(api.reached).hasValue(0);
        }
    }

    @Test
    void aCallAnotherSessionForwardsPassesThroughTheInterceptorsOfTheSessionItLeavesBy() {
        List<String> seenByAlice = Collections.synchronizedList(new ArrayList<>());
        try (Harness alice = new Harness(new CrossSessionTest.Alice(), Undefined.INSTANCE, SessionOptions.defaults(),
                options(call -> {
                    seenByAlice.add(call.method());
                    return call.proceed();
                }));
             Harness bob = new Harness(new CrossSessionTest.Bob(null))) {
            RpcStub counter = (RpcStub) alice.main.call("getCounter", 10).join();
            assertThat(bob.main.call("incrementCounter", counter, 3).join()).isEqualTo(13L);
            counter.close();
        }
        // Bob's server called increment on a stub of Alice's client session: it left by Alice's.
        assertThat(seenByAlice).containsExactly("getCounter", "increment");
    }

    @Test
    void aForwardedCallTheInterceptorStopsReleasesTheStubsItCarried() {
        String closed = "Alice takes no counters today.";
        try (Harness alice = new Harness(new CrossSessionTest.Alice(), Undefined.INSTANCE, SessionOptions.defaults(),
                options(call -> {
                    if (call.method().equals("incrementCounter")) {
                        throw RpcException.of("Error", closed);
                    }
                    return call.proceed();
                }));
             Harness bob = new Harness(new CrossSessionTest.Gate(alice.main))) {
            try (RpcPromise viaBob = bob.main.call("getAlice")) {
                assertThatThrownBy(() -> viaBob.call("incrementCounter", new TestTargets.Counter(1), 3).join())
                        .hasMessage(closed);
            }
            Harness.assertAllAtBaseline(alice, bob);
        }
    }

    @Test
    void callsRecordedInsideMapAreMadeByThePeerAndPassThroughNothing() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (Harness h = clientIntercepted(new Api(), call -> {
            seen.add(call.method());
            return call.proceed();
        })) {
            try (RpcPromise fib = h.main.call("generateFibonacci", 4);
                 RpcPromise squares = fib.map(i -> h.main.call("square", i))) {
                assertThat(squares.join()).isEqualTo(List.of(0L, 1L, 1L, 4L));
            }
        }
        assertThat(seen).containsExactly("generateFibonacci");
    }
}
