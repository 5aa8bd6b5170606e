package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The objects the wire tests expose to the scripted peer. They mirror the reference's test target
 * (__tests__/test-util.ts) closely enough that the expected frames can be taken from the
 * reference's real behaviour.
 */
final class WireTargets {

    private WireTargets() {
    }

    /** The main object of a Java server session in the wire tests. */
    static final class Main implements RpcTarget {
        final Counter shared = new Counter(100);
        final List<Counter> made = new CopyOnWriteArrayList<>();
        final List<Long> recorded = new CopyOnWriteArrayList<>();
        final CompletableFuture<Object> hanging = new CompletableFuture<>();
        final CompletableFuture<Object> slow = new CompletableFuture<>();
        final CompletableFuture<Object> later = new CompletableFuture<>();

        /** A public field: never reachable over RPC. */
        public String field = "not exposed";

        public double square(double i) {
            return i * i;
        }

        public double add(double a, double b) {
            return a + b;
        }

        public Object echo(Object x) {
            return x;
        }

        public Counter makeCounter(long start) {
            Counter c = new Counter(start);
            made.add(c);
            return c;
        }

        public Counter sameCounter() {
            return shared;
        }

        public List<Long> generateFibonacci(int n) {
            List<Long> out = new ArrayList<>();
            long a = 0;
            long b = 1;
            for (int i = 0; i < n; i++) {
                out.add(a);
                long next = a + b;
                a = b;
                b = next;
            }
            return out;
        }

        public Object returnNull() {
            return null;
        }

        public void returnUndefined() {
        }

        public Object throwError() {
            throw RpcException.of("RangeError", "test error");
        }

        public Object throwRich() {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("code", "E_RICH");
            props.put("count", 7);
            throw RpcException.of("RangeError", "rich", props);
        }

        public Object throwWithCause() {
            throw new IllegalStateException("outer", RpcException.of("TypeError", "inner"));
        }

        public Object throwPlain() {
            throw new IllegalStateException("plain failure");
        }

        /** Calls back into a function the peer passed, like the reference's callFunction. */
        public CompletionStage<Object> callFunction(RpcStub func, Object i) {
            return func.invoke(i).handle((v, e) -> {
                func.close();
                if (e != null) {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("result", v);
                return result;
            });
        }

        /** Read as the property {@code profile}. */
        public Map<String, Object> getProfile() {
            Map<String, Object> profile = new LinkedHashMap<>();
            profile.put("name", "Ada");
            profile.put("tags", List.of("x", "y"));
            return profile;
        }

        public CompletionStage<Object> hang() {
            return hanging;
        }

        public CompletionStage<Object> slow() {
            return slow;
        }

        /** A result holding a promise: sent as {@code ["promise", id]} and resolved later. */
        public Map<String, Object> later() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("p", later);
            return out;
        }

        public RpcFunction fn() {
            return args -> ((Number) args[0]).doubleValue() * 2;
        }

        /** Java types the design table sends like their API counterparts. */
        public Map<String, Object> javaTypes() throws Exception {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("date", new java.util.Date(5));
            out.put("url", new java.net.URL("https://example.com/u"));
            out.put("buffer", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
            out.put("set", new java.util.LinkedHashSet<>(List.of("a", "b")));
            out.put("record", new Point(1, "p"));
            out.put("long", Long.MAX_VALUE);
            out.put("int", 7);
            out.put("char", "c");
            return out;
        }

        /** A record travels as an object of its components, in order. */
        record Point(int x, String label) {
        }

        final java.util.concurrent.atomic.AtomicReference<RpcStub> kept = new java.util.concurrent.atomic.AtomicReference<>();

        /** Keeps a stub the peer passed beyond the call: a dup, as argument stubs end with the call. */
        public void keep(RpcStub stub) {
            kept.set(stub.dup());
        }

        /** Holds on to an argument stub without dup(): it is released when the call returns. */
        public void keepWithoutDup(RpcStub stub) {
            kept.set(stub);
        }

        public CompletionStage<Object> useKept(Object arg) {
            return kept.get().invoke(arg);
        }

        public void dropKept() {
            kept.getAndSet(null).close();
        }

        public long record(long i) {
            recorded.add(i);
            return i;
        }

        /** Static: never reachable over RPC. */
        public static String secret() {
            return "secret";
        }

        /** Not public: never reachable over RPC. */
        String hidden() {
            return "hidden";
        }
    }

    /** A counter passed by reference; records when it is closed. */
    static final class Counter implements RpcTarget, AutoCloseable {
        final AtomicLong value;
        final AtomicInteger closes = new AtomicInteger();

        Counter(long start) {
            this.value = new AtomicLong(start);
        }

        public long increment(long by) {
            return value.addAndGet(by);
        }

        /** Read as the property {@code value}. */
        public long value() {
            return value.get();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** A main object that records when it is closed. */
    static final class ClosableMain implements RpcTarget, AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();

        public double square(double i) {
            return i * i;
        }

        /** Never answers. */
        public CompletionStage<Object> hang() {
            return new CompletableFuture<>();
        }

        /** The main object itself, exported again. */
        public ClosableMain self() {
            return this;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }
}
