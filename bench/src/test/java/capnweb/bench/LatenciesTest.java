package capnweb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesUseTheNearestRank() {
        Latencies l = new Latencies();
        for (long v = 100; v >= 1; v--) {
            l.record(v);
        }
        assertThat(l.count()).isEqualTo(100);
        assertThat(l.percentile(50)).isEqualTo(50);
        assertThat(l.percentile(99)).isEqualTo(99);
        assertThat(l.percentile(100)).isEqualTo(100);
        assertThat(l.percentile(0.1)).isEqualTo(1);
    }

    @Test
    void aSingleSampleIsEveryPercentile() {
        Latencies l = new Latencies();
        l.record(42);
        assertThat(l.percentile(1)).isEqualTo(42);
        assertThat(l.percentile(99)).isEqualTo(42);
    }

    @Test
    void noSamplesGiveZeroAndBadPercentilesAreRefused() {
        assertThat(new Latencies().percentile(50)).isZero();
        assertThatThrownBy(() -> new Latencies().percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Latencies().percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mergeKeepsSamplesOfBothAndGrowsBeyondTheInitialCapacity() {
        Latencies a = new Latencies();
        Latencies b = new Latencies();
        for (int i = 0; i < 3000; i++) {
            a.record(1);
            b.record(1000);
        }
        a.merge(b);
        assertThat(a.count()).isEqualTo(6000);
        assertThat(a.percentile(50)).isEqualTo(1);
        assertThat(a.percentile(50.1)).isEqualTo(1000);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Latencies.median(3, 1, 2)).isEqualTo(2);
        assertThat(Latencies.median(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(Latencies.median()).isNaN();
    }
}
