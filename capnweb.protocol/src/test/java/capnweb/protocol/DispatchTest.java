package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcProperty;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a peer can reach on a Java target, and how its arguments are converted. */
@Timeout(10)
class DispatchTest {

    public record Point(long x, long y) {
    }

    public enum Color { RED, GREEN }

    public static class Base implements RpcTarget {
        public String inherited() {
            return "from base";
        }
    }

    public static class Target extends Base implements AutoCloseable {
        public String secret = "field";
        boolean closed;

        public static String staticMethod() {
            return "static";
        }

        String packagePrivate() {
            return "hidden";
        }

        public long add(long a, long b) {
            return a + b;
        }

        public int narrow(int i) {
            return i;
        }

        public String describe(Object o) {
            return o == null ? "null" : o == Undefined.INSTANCE ? "undefined" : o.getClass().getSimpleName();
        }

        public String overloaded() {
            return "none";
        }

        public String overloaded(String s) {
            return "string " + s;
        }

        public String overloaded(String s, long n) {
            return "two " + s + n;
        }

        public long distance(Point p) {
            return Math.abs(p.x()) + Math.abs(p.y());
        }

        public Point mirror(Point p) {
            return new Point(p.y(), p.x());
        }

        public String color(Color c) {
            return c.name().toLowerCase();
        }

        public long sumList(List<Long> values) {
            return values.stream().mapToLong(Long::longValue).sum();
        }

        public long sumArray(long[] values) {
            long s = 0;
            for (long v : values) {
                s += v;
            }
            return s;
        }

        public int countSet(Set<String> s) {
            return s.size();
        }

        public Object mapValue(Map<String, Object> m, String key) {
            return m.get(key);
        }

        public int byteCount(byte[] bytes) {
            return bytes.length;
        }

        public BigInteger twice(BigInteger b) {
            return b.shiftLeft(1);
        }

        public Instant later(Instant i) {
            return i.plusMillis(1);
        }

        public String host(URI u) {
            return u.getHost();
        }

        public boolean negate(boolean b) {
            return !b;
        }

        public String maybe(Optional<String> s) {
            return s.orElse("empty");
        }

        public String varargs(String first, long... rest) {
            return first + rest.length;
        }

        public void nothing() {
        }

        public CompletionStage<String> later(String s) {
            return CompletableFuture.supplyAsync(() -> s + "!");
        }

        public long getCount() {
            return 42;
        }

        public boolean isReady() {
            return true;
        }

        public Object callIt(RpcFunction f) throws Exception {
            return ((CompletionStage<?>) f.apply(5)).toCompletableFuture().thenApply(x -> x);
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return "Target";
        }
    }

    private static Object call(Harness h, String method, Object... args) {
        return h.main.call(method, args).join();
    }

    private static RpcException failure(Harness h, String method, Object... args) {
        try {
            h.main.call(method, args).join();
        } catch (RpcException e) {
            return e;
        }
        throw new AssertionError("expected " + method + " to fail");
    }

    @Test
    void publicMethodsIncludingInheritedOnesAreCallable() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "add", 2, 3)).isEqualTo(5L);
            assertThat(call(h, "inherited")).isEqualTo("from base");
        }
    }

    @Test
    void staticNonPublicFieldAndCloseAreNotReachable() {
        try (Harness h = new Harness(new Target())) {
            for (String name : List.of("staticMethod", "packagePrivate", "close", "toString", "hashCode",
                    "equals", "getClass", "wait", "notify", "notifyAll", "secret")) {
                assertThat(failure(h, name).getMessage()).isEqualTo("'" + name + "' is not a function.");
            }
            assertThat(h.main.get("secret").join()).isEqualTo(Undefined.INSTANCE);
        }
    }

    @Test
    void propertiesAreReadThroughGetters() {
        try (Harness h = new Harness(new Target())) {
            assertThat(h.main.get("count").join()).isEqualTo(42L);
            assertThat(h.main.get("ready").join()).isEqualTo(true);
            assertThat(h.main.get("getCount").join()).isEqualTo(42L);
            assertThat(h.main.get("missing").join()).isEqualTo(Undefined.INSTANCE);
        }
    }

    public static final class Counter implements RpcTarget {
        long count = 5;

        public long increment() {
            return ++count;
        }

        public long increment(long by) {
            count += by;
            return count;
        }

        public long value() {
            return count;
        }

        public long log(String... lines) {
            return ++count;
        }

        @RpcProperty
        public long peek() {
            return count;
        }

        public long peek(long offset) {
            return count + offset;
        }

        @RpcProperty("total")
        public long sum() {
            return count * 10;
        }

        public long sum(long extra) {
            return count * 10 + extra;
        }
    }

    @Test
    void readingAnOverloadedOrVarargsMethodYieldsTheMethodWithoutCallingIt() {
        Counter counter = new Counter();
        try (Harness h = new Harness(counter)) {
            Object increment = h.main.get("increment").join();
            Object log = h.main.get("log").join();
            assertThat(increment).isInstanceOf(RpcStub.class);
            assertThat(log).isInstanceOf(RpcStub.class);
            assertThat(h.main.get("value").join()).isEqualTo(5L);
            assertThat(counter.count).isEqualTo(5);
            assertThat(((RpcStub) increment).invoke().join()).isEqualTo(6L);
            assertThat(((RpcStub) increment).invoke(4).join()).isEqualTo(10L);
            ((RpcStub) increment).close();
            ((RpcStub) log).close();
        }
    }

    @Test
    void annotatedNoArgumentMethodIsAPropertyEvenWhenOverloaded() {
        try (Harness h = new Harness(new Counter())) {
            assertThat(h.main.get("peek").join()).isEqualTo(5L);
            assertThat(h.main.get("total").join()).isEqualTo(50L);
            assertThat(h.main.call("peek", 1).join()).isEqualTo(6L);
            assertThat(h.main.get("sum").join()).isInstanceOf(RpcStub.class);
        }
    }

    public interface Thermometer {
        @RpcProperty
        double celsius();

        double celsius(int decimals);

        @RpcProperty("kelvin")
        double absolute();
    }

    public static final class Probe implements Thermometer, RpcTarget {
        @Override
        public double celsius() {
            return 21.5;
        }

        @Override
        public double celsius(int decimals) {
            return Math.round(21.54 * Math.pow(10, decimals)) / Math.pow(10, decimals);
        }

        @Override
        public double absolute() {
            return 294.65;
        }
    }

    @Test
    void aPropertyAnnotatedOnAnInterfaceIsAPropertyOfItsImplementations() {
        try (Harness h = new Harness(new Probe())) {
            assertThat(h.main.get("celsius").join()).isEqualTo(21.5);
            assertThat(h.main.get("kelvin").join()).isEqualTo(294.65);
            assertThat(h.main.call("celsius", 1).join()).isEqualTo(21.5);
        }
    }

    public record Pair(String left, long right) implements RpcTarget {
    }

    @Test
    void recordAccessorsAreProperties() {
        try (Harness h = new Harness(new Pair("a", 2))) {
            assertThat(h.main.get("left").join()).isEqualTo("a");
            assertThat(h.main.get("right").join()).isEqualTo(2L);
        }
    }

    @Test
    void methodReadAsPropertyIsACallableFunction() {
        try (Harness h = new Harness(new Target())) {
            RpcStub add = (RpcStub) h.main.get("add").join();
            assertThat(add.invoke(20, 22).join()).isEqualTo(42L);
            add.close();
        }
    }

    @Test
    void voidMethodReturnsUndefined() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "nothing")).isEqualTo(Undefined.INSTANCE);
        }
    }

    @Test
    void completionStageResultsAreAwaited() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "later", "hi")).isEqualTo("hi!");
        }
    }

    @Test
    void overloadsAreChosenByArity() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "overloaded")).isEqualTo("none");
            assertThat(call(h, "overloaded", "a")).isEqualTo("string a");
            assertThat(call(h, "overloaded", "a", 1)).isEqualTo("two a1");
            assertThat(call(h, "overloaded", "a", 1, "extra")).isEqualTo("two a1");
        }
    }

    @Test
    void missingTrailingArgumentsArriveAsUndefinedOrNull() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "describe")).isEqualTo("undefined");
            assertThat(call(h, "describe", (Object) null)).isEqualTo("null");
            assertThat(failure(h, "add", 1).getMessage()).contains("argument 2 of add(long, long)");
        }
    }

    @Test
    void numbersConvertToDeclaredTypesWithRangeChecks() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "add", 2.0, 3)).isEqualTo(5L);
            RpcException fraction = failure(h, "add", 2.5, 1);
            assertThat(fraction.type()).isEqualTo("TypeError");
            assertThat(fraction.getMessage()).contains("whole number").contains("2.5");
            assertThat(failure(h, "narrow", 1L << 40).type()).isEqualTo("RangeError");
            assertThat(failure(h, "add", "two", 1).getMessage()).contains("expected a number");
        }
    }

    @Test
    void structuredArgumentsConvert() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "distance", Map.of("x", 3, "y", -4))).isEqualTo(7L);
            assertThat(call(h, "mirror", new Point(1, 2))).isEqualTo(Map.of("x", 2L, "y", 1L));
            assertThat(call(h, "color", "GREEN")).isEqualTo("green");
            assertThat(failure(h, "color", "BLUE").getMessage()).contains("[RED, GREEN]");
            assertThat(call(h, "sumList", List.of(1, 2, 3))).isEqualTo(6L);
            assertThat(call(h, "sumArray", List.of(1, 2, 3))).isEqualTo(6L);
            assertThat(call(h, "countSet", List.of("a", "b", "a"))).isEqualTo(2L);
            assertThat(call(h, "mapValue", Map.of("k", "v"), "k")).isEqualTo("v");
            assertThat(call(h, "byteCount", (Object) new byte[] {1, 2, 3})).isEqualTo(3L);
            assertThat(call(h, "twice", new BigInteger("12345678901234567890")))
                    .isEqualTo(new BigInteger("24691357802469135780"));
            assertThat(call(h, "later", Instant.ofEpochMilli(5))).isEqualTo(Instant.ofEpochMilli(6));
            assertThat(call(h, "host", URI.create("https://example.com/x"))).isEqualTo("example.com");
            assertThat(call(h, "negate", true)).isEqualTo(false);
            assertThat(call(h, "maybe")).isEqualTo("empty");
            assertThat(call(h, "maybe", "x")).isEqualTo("x");
            assertThat(call(h, "varargs", "n", 1, 2, 3)).isEqualTo("n3");
        }
    }

    @Test
    void functionParameterCallsThePeer() {
        try (Harness h = new Harness(new Target())) {
            assertThat(call(h, "callIt", TestTargets.squarer())).isEqualTo(25L);
        }
    }

    @Test
    void pathIntoAPlainResultValue() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            var fib = h.main.call("generateFibonacci", 5);
            assertThat(fib.get(4).join()).isEqualTo(3L);
            assertThat(fib.get(9).join()).isEqualTo(Undefined.INSTANCE);
            assertThat(fib.get("length").join()).isEqualTo(Undefined.INSTANCE);
            var obj = h.main.call("echo", Map.of("a", Map.of("b", 1)));
            assertThat(obj.get("a").get("b").join()).isEqualTo(1L);
            fib.close();
            obj.close();
        }
    }

    @Test
    void readingThroughUndefinedIsATypeError() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            var obj = h.main.call("echo", Map.of("a", 1));
            assertThatThrownBy(() -> obj.get("missing").get("x").join())
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.type()).isEqualTo("TypeError");
                        assertThat(e.getMessage()).isEqualTo("Cannot read properties of undefined (reading 'x')");
                    });
            obj.close();
        }
    }

    @Test
    void functionInAResultObjectIsCallableByPipeline() {
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public Map<String, Object> getObject() {
                RpcFunction twice = args -> ((Number) args[0]).longValue() * 2;
                return Map.of("twice", twice);
            }
        };
        try (Harness h = new Harness(target)) {
            var obj = h.main.call("getObject");
            assertThat(obj.call("twice", 21).join()).isEqualTo(42L);
            obj.close();
        }
    }

    @Test
    void lastReleaseClosesAnAutoCloseableTarget() {
        Target inner = new Target();
        RpcTarget factory = new RpcTarget() {
            @SuppressWarnings("unused")
            public Target make() {
                return inner;
            }
        };
        try (Harness h = new Harness(factory)) {
            RpcStub a = (RpcStub) h.main.call("make").join();
            RpcStub b = a.dup();
            assertThat(a.call("add", 1, 1).join()).isEqualTo(2L);
            a.close();
            h.settle();
            assertThat(inner.closed).isFalse();
            b.close();
            h.awaitBaseline();
            assertThat(inner.closed).isTrue();
        }
    }

    @Test
    void targetReturnedByTwoCallsIsClosedOnlyAfterBothAreReleased() {
        Target shared = new Target();
        RpcTarget factory = new RpcTarget() {
            @SuppressWarnings("unused")
            public Target get() {
                return shared;
            }
        };
        try (Harness h = new Harness(factory)) {
            RpcStub first = (RpcStub) h.main.call("get").join();
            RpcStub second = (RpcStub) h.main.call("get").join();
            first.close();
            h.settle();
            assertThat(shared.closed).isFalse();
            assertThat(second.call("add", 2, 2).join()).isEqualTo(4L);
            second.close();
            h.awaitBaseline();
            assertThat(shared.closed).isTrue();
        }
    }

    @Test
    void mainObjectIsClosedWhenTheSessionEnds() {
        Target main = new Target();
        Harness h = new Harness(main);
        assertThat(call(h, "add", 1, 2)).isEqualTo(3L);
        h.clientTransport.lose(new IllegalStateException("gone"));
        h.close();
        Harness.sync(h.server);
        Harness.sync(h.server);
        assertThat(main.closed).isTrue();
    }

    @Test
    void targetMethodThatThrowsRejectsWithItsMessage() {
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public void fail() {
                throw new IllegalArgumentException("bad input");
            }
        };
        try (Harness h = new Harness(target)) {
            RpcException e = failure(h, "fail");
            assertThat(e.type()).isEqualTo("Error");
            assertThat(e.getMessage()).isEqualTo("bad input");
        }
    }
}
