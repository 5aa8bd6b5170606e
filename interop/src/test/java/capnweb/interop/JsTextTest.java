package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JsText#number} against Node's own {@code String(n)} for the same doubles. */
class JsTextTest {
    @Test
    void numbersAreWrittenAsNodeWritesThem() {
        List<Double> numbers = new ArrayList<>(List.of(0.0, -0.0, 1.0, -2.25, 0.1, 1e21, 1e20, 123456789012345680000.0,
                1e-6, 1e-7, 1.5e-6, 5e-324, Double.MIN_NORMAL, Double.MAX_VALUE, 9007199254740993.0, 2e23, 1e23,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 100.0, 1234.5678, Math.PI));
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            numbers.add(Double.isNaN(d) ? random.nextDouble() : d);
            numbers.add(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
        }
        // Double.toString reads back as the same double in JavaScript too.
        StringBuilder script = new StringBuilder("for (const n of [");
        for (double d : numbers) {
            script.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : Double.toString(d)).append(',');
        }
        script.append("]) console.log(String(n));");
        Node.Result result = Node.run(Duration.ofSeconds(60), "-e", script.toString());
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        List<String> mine = numbers.stream().map(JsText::number).toList();
        assertThat(mine).isEqualTo(result.lines());
    }
}
