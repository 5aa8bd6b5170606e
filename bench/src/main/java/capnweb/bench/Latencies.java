package capnweb.bench;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds and their percentiles. Not thread-safe: each load loop records
 * into its own instance and the results are {@linkplain #merge merged} at the end.
 */
public final class Latencies {
    private long[] samples = new long[1024];
    private int count;

    /** Records one sample. */
    public void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    /** Adds every sample of {@code other} to this one. */
    public void merge(Latencies other) {
        for (int i = 0; i < other.count; i++) {
            record(other.samples[i]);
        }
    }

    /** @return how many samples were recorded */
    public int count() {
        return count;
    }

    /**
     * The nearest-rank percentile: the smallest sample such that at least {@code p} percent of
     * the samples are at or below it.
     *
     * @param p the percentile, 0 &lt; p &le; 100
     * @return the sample in nanoseconds, or 0 when there are none
     */
    public long percentile(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("A percentile lies in (0, 100], got " + p);
        }
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(rank, 1) - 1];
    }

    /**
     * The median of a few repeated measurements (the mean of the two middle ones for an even
     * count), as the side-by-side summary reports them.
     *
     * @param values the measurements
     * @return their median, or NaN when there are none
     */
    public static double median(double... values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
