package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Targets shared by the engine tests, shaped like the interop contract's TestTarget. */
final class TestTargets {
    private TestTargets() {
    }

    /** Holds its session in {@code block()} until released (for 5 s at most); says when it started. */
    public static final class Gate implements RpcTarget {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        /**
         * @return 1, once released
         * @throws InterruptedException if interrupted while held
         */
        public long block() throws InterruptedException {
            entered.countDown();
            release.await(5, TimeUnit.SECONDS);
            return 1;
        }
    }

    /** A counter passed by reference; counts how often it was closed. */
    public static class Counter implements RpcTarget, AutoCloseable {
        private long value;
        final AtomicInteger closed = new AtomicInteger();

        Counter(long start) {
            this.value = start;
        }

        public long increment() {
            return increment(1);
        }

        public long increment(long amount) {
            value += amount;
            return value;
        }

        public long value() {
            return value;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }

        /** Waits (up to 5 s) until closed {@code times} times: a release runs on the engine's threads. */
        void awaitClosed(int times) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (closed.get() < times && System.nanoTime() < deadline) {
                try {
                    TimeUnit.MILLISECONDS.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The interop contract's main object. */
    public static class TestTarget implements RpcTarget {
        final List<Counter> made = new ArrayList<>();

        public double square(double i) {
            return i * i;
        }

        public Map<String, Object> callSquare(RpcStub self, double i) {
            return Map.of("result", self.call("square", i));
        }

        public CompletionStage<Map<String, Object>> callFunction(RpcStub func, double i) {
            return func.invoke(i).thenApply(r -> Map.of("result", r));
        }

        public void throwError() {
            throw RpcException.of("RangeError", "test error");
        }

        public Counter makeCounter(long i) {
            Counter c = new Counter(i);
            made.add(c);
            return c;
        }

        public RpcPromise incrementCounter(RpcStub c) {
            return incrementCounter(c, 1);
        }

        public RpcPromise incrementCounter(RpcStub c, long i) {
            return c.call("increment", i);
        }

        public List<Long> generateFibonacci(int n) {
            List<Long> out = new ArrayList<>();
            long a = 0;
            long b = 1;
            for (int k = 0; k < n; k++) {
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

        public Undefined returnUndefined() {
            return Undefined.INSTANCE;
        }

        public Object returnNumber(Object i) {
            return i;
        }

        public Object echo(Object x) {
            return x;
        }

        public double add(double a, double b) {
            return a + b;
        }
    }

    /** A function that squares, for callbacks. */
    static RpcFunction squarer() {
        return args -> {
            double d = ((Number) args[0]).doubleValue();
            return d * d;
        };
    }
}
