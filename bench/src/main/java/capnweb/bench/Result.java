package capnweb.bench;

import java.util.Locale;

/**
 * One measured scenario. Both load clients (Java and Node) print it as one tab-separated line
 * starting with {@code RESULT}, so that the side-by-side summary reads them alike.
 *
 * @param client the load client, e.g. {@code node} or {@code java}
 * @param server the server measured, e.g. {@code reference}, {@code jetty}, {@code vertx}
 * @param scenario the scenario name, e.g. {@code seq}
 * @param ops operations completed in the measured window
 * @param seconds the length of the measured window
 * @param p50Micros median latency of one operation
 * @param p99Micros 99th percentile latency
 * @param serverCpuMicros server CPU time (user + system) spent in the window, or -1 if unknown
 * @param bytesPerOp payload bytes each way per operation (1 MB echo), else 0
 * @param peakRssKib the server's peak resident set size so far, or -1 if unknown
 */
public record Result(String client, String server, String scenario, long ops, double seconds,
        double p50Micros, double p99Micros, long serverCpuMicros, long bytesPerOp, long peakRssKib) {

    /** @return operations per second */
    public double opsPerSecond() {
        return ops / seconds;
    }

    /** @return server CPU microseconds per operation, or NaN if unknown */
    public double cpuMicrosPerOp() {
        return serverCpuMicros < 0 || ops == 0 ? Double.NaN : (double) serverCpuMicros / ops;
    }

    /** @return payload megabytes (10^6 bytes) per second each way */
    public double megabytesPerSecond() {
        return bytesPerOp * opsPerSecond() / 1e6;
    }

    /** @return the RESULT line */
    public String line() {
        return String.join("\t", "RESULT", client, server, scenario, Long.toString(ops),
                String.format(Locale.ROOT, "%.3f", seconds),
                String.format(Locale.ROOT, "%.1f", p50Micros),
                String.format(Locale.ROOT, "%.1f", p99Micros),
                Long.toString(serverCpuMicros), Long.toString(bytesPerOp), Long.toString(peakRssKib));
    }

    /**
     * Parses a RESULT line.
     *
     * @param line the line
     * @return the result
     * @throws IllegalArgumentException if it is not a RESULT line with 11 fields
     */
    public static Result parse(String line) {
        String[] f = line.split("\t");
        if (f.length != 11 || !f[0].equals("RESULT")) {
            throw new IllegalArgumentException("Not a RESULT line with 11 tab-separated fields: " + line);
        }
        return new Result(f[1], f[2], f[3], Long.parseLong(f[4]), Double.parseDouble(f[5]),
                Double.parseDouble(f[6]), Double.parseDouble(f[7]), Long.parseLong(f[8]),
                Long.parseLong(f[9]), Long.parseLong(f[10]));
    }
}
