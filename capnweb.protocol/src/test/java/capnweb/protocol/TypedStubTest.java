package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcProperty;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stubs viewed as an application's interfaces. */
@Timeout(10)
class TypedStubTest {

    public record Point(long x, long y) {
    }

    public enum Color { RED, GREEN }

    /** The server's implementation. */
    public static final class CalculatorImpl implements RpcTarget {
        int calls;

        public double square(double x) {
            calls++;
            return x * x;
        }

        public Point mirror(Point p) {
            return new Point(p.y(), p.x());
        }

        public List<Point> points(long n) {
            return List.of(new Point(n, 0), new Point(0, n));
        }

        public Map<String, Object> tally() {
            return Map.of("a", 1, "b", 2);
        }

        public Object nothing() {
            return null;
        }

        public String paint(Color c) {
            return c.name().toLowerCase();
        }

        public Color favourite() {
            return Color.GREEN;
        }

        public CounterImpl makeCounter(long start) {
            calls++;
            return new CounterImpl(start);
        }

        public long getVersion() {
            return 3;
        }

        public String text() {
            return "not a number";
        }

        public long sum(long... values) {
            long s = 0;
            for (long v : values) {
                s += v;
            }
            return s;
        }

        public void fail() {
            throw new IllegalStateException("broken on purpose");
        }
    }

    public static final class CounterImpl implements RpcTarget {
        long value;

        CounterImpl(long start) {
            value = start;
        }

        public long increment(long by) {
            value += by;
            return value;
        }

        public long value() {
            return value;
        }

        public long add(long by) {
            return increment(by);
        }
    }

    /** The client's view. */
    public interface Calculator extends AutoCloseable {
        double square(double x);

        RpcPromise square(Object x);

        CompletableFuture<Double> squareLater(double x);

        Point mirror(Point p);

        List<Point> points(long n);

        Map<String, Long> tally();

        Optional<String> nothing();

        String paint(Color c);

        Color favourite();

        Counter makeCounter(long start);

        long getVersion();

        long text();

        long sum(long... values);

        void fail();

        default double squarePlusOne(double x) {
            return square(x) + 1;
        }

        @Override
        void close();
    }

    public interface Counter {
        long increment(long by);

        @RpcProperty
        long value();

        CompletionStage<Long> add(long by);
    }

    public interface CalculatorStub extends RpcStub {
        double square(double x);
    }

    @Test
    void methodsCallAndConvertToTheDeclaredTypes() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            Calculator calc = h.main.as(Calculator.class);
            assertThat(calc.square(3)).isEqualTo(9.0);
            assertThat(calc.mirror(new Point(1, 2))).isEqualTo(new Point(2, 1));
            assertThat(calc.points(4)).containsExactly(new Point(4, 0), new Point(0, 4));
            assertThat(calc.tally()).isEqualTo(Map.of("a", 1L, "b", 2L));
            assertThat(calc.nothing()).isEmpty();
            assertThat(calc.paint(Color.RED)).isEqualTo("red");
            assertThat(calc.favourite()).isEqualTo(Color.GREEN);
            assertThat(calc.sum(1, 2, 3)).isEqualTo(6L);
            assertThat(calc.getVersion()).isEqualTo(3L);
            assertThat(calc.squarePlusOne(2)).isEqualTo(5.0);
        }
    }

    @Test
    void promiseReturnTypeDoesNotWaitAndPipelines() {
        CalculatorImpl impl = new CalculatorImpl();
        try (Harness h = new Harness(impl)) {
            Calculator calc = h.main.as(Calculator.class);
            RpcPromise four = calc.square((Object) 2);
            RpcPromise sixteen = calc.square(four);
            assertThat(sixteen.join()).isEqualTo(16L);
            assertThat(impl.calls).isEqualTo(2);
        }
    }

    @Test
    void interfaceReturnTypeIsATypedViewOfThePipelinedResult() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            Calculator calc = h.main.as(Calculator.class);
            Counter counter = calc.makeCounter(10);
            assertThat(counter.increment(5)).isEqualTo(15L);
            assertThat(counter.value()).isEqualTo(15L);
        }
    }

    @Test
    void completionStageReturnTypeCompletesWithTheConvertedResult() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            Calculator calc = h.main.as(Calculator.class);
            assertThat(calc.makeCounter(1).add(2).toCompletableFuture())
                    .succeedsWithin(Duration.ofSeconds(5)).isEqualTo(3L);
            // No such method on the server: the future fails, nothing is thrown.
            assertThatThrownBy(() -> calc.squareLater(2).join()).hasCauseInstanceOf(RpcException.class)
                    .hasMessageContaining("'squareLater' is not a function.");
        }
    }

    @Test
    void mismatchAndRemoteErrorsThrowClearly() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            Calculator calc = h.main.as(Calculator.class);
            assertThatThrownBy(calc::text).isInstanceOf(RpcException.class)
                    .hasMessageContaining("result of Calculator.text()");
            assertThatThrownBy(calc::fail).isInstanceOf(RpcException.class).hasMessageContaining("broken on purpose");
        }
    }

    @Test
    void stubInterfaceReachesTheStubAndCloseReleasesIt() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            CalculatorStub calc = h.main.dup().as(CalculatorStub.class);
            assertThat(calc.square(5)).isEqualTo(25.0);
            assertThat(calc.call("square", 6).join()).isEqualTo(36L);
            calc.close();
            assertThatThrownBy(() -> calc.square(1)).isInstanceOf(RuntimeException.class);
            assertThat(calc.toString()).contains("CalculatorStub");
            assertThat(calc).isEqualTo(calc);
        }
    }

    @Test
    void sessionMainCanBeTyped() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            Calculator calc = h.client.main(Calculator.class);
            assertThat(calc.square(4)).isEqualTo(16.0);
            calc.close();
        }
    }

    @Test
    void onlyInterfacesCanBeViewed() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            assertThatThrownBy(() -> h.main.as(CalculatorImpl.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is a class");
        }
    }

    @Test
    void blockingMethodInsideMapFailsWithAHint() {
        try (Harness h = new Harness(new CalculatorImpl())) {
            Calculator calc = h.main.as(Calculator.class);
            RpcPromise points = h.main.call("points", 2);
            assertThatThrownBy(() -> points.map(p -> calc.square(3.0)))
                    .hasMessageContaining("declare it to return RpcPromise");
            assertThat(points.map(p -> calc.square((Object) p.get("x"))).join()).isEqualTo(List.of(4L, 0L));
        }
    }
}
