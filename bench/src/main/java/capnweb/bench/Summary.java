package capnweb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Reads the RESULT lines of one or more side-by-side runs and prints the medians and the ratios
 * against the goals: {@code Summary [--markdown] FILE...}.
 */
public final class Summary {
    private final Map<String, List<Result>> byKey = new LinkedHashMap<>();

    Summary(List<Result> results) {
        for (Result r : results) {
            byKey.computeIfAbsent(key(r.client(), r.server(), r.scenario()), k -> new ArrayList<>()).add(r);
        }
    }

    public static void main(String[] args) throws IOException {
        boolean markdown = false;
        List<Result> results = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--markdown")) {
                markdown = true;
                continue;
            }
            for (String line : Files.readAllLines(Path.of(arg))) {
                if (line.startsWith("RESULT\t")) {
                    results.add(Result.parse(line));
                }
            }
        }
        if (results.isEmpty()) {
            System.err.println("No RESULT lines found; usage: Summary [--markdown] FILE...");
            System.exit(2);
        }
        Summary s = new Summary(results);
        Table medians = s.medians();
        Table goals = s.goals();
        System.out.println("Medians of " + s.runs() + " run(s):");
        System.out.print(markdown ? medians.markdown() : medians.render());
        System.out.println();
        System.out.println("Goals (ratios of the medians):");
        System.out.print(markdown ? goals.markdown() : goals.render());
    }

    private static String key(String client, String server, String scenario) {
        return client + "|" + server + "|" + scenario;
    }

    /** @return the largest number of runs any measurement has */
    int runs() {
        return byKey.values().stream().mapToInt(List::size).max().orElse(0);
    }

    /** The median over runs of one metric, or NaN when that measurement is missing. */
    double median(String client, String server, String scenario, ToDoubleFunction<Result> metric) {
        List<Result> rs = byKey.get(key(client, server, scenario));
        if (rs == null) {
            return Double.NaN;
        }
        return Latencies.median(rs.stream().mapToDouble(metric).toArray());
    }

    Table medians() {
        Table t = new Table("client -> server", "scenario", "runs", "ops/s", "p50 us", "p99 us",
                "server CPU us/op", "MB/s each way", "server peak RSS MiB");
        for (List<Result> rs : byKey.values()) {
            Result first = rs.get(0);
            String c = first.client();
            String sv = first.server();
            String sc = first.scenario();
            double rss = median(c, sv, sc, r -> r.peakRssKib() < 0 ? Double.NaN : r.peakRssKib() / 1024.0);
            t.row(c + " -> " + sv, sc, rs.size(),
                    Table.num(median(c, sv, sc, Result::opsPerSecond), 0),
                    Table.num(median(c, sv, sc, Result::p50Micros), 0),
                    Table.num(median(c, sv, sc, Result::p99Micros), 0),
                    Table.num(median(c, sv, sc, Result::cpuMicrosPerOp), 1),
                    first.bytesPerOp() == 0 ? "-" : Table.num(median(c, sv, sc, Result::megabytesPerSecond), 1),
                    Table.num(rss, 0));
        }
        return t;
    }

    /** Every goal for every Java server measured. */
    Table goals() {
        Table t = new Table("goal", "server", "measured", "target", "met");
        List<String> servers = new ArrayList<>();
        for (List<Result> rs : byKey.values()) {
            String sv = rs.get(0).server();
            if (!sv.equals("reference") && !sv.startsWith("raw-") && !servers.contains(sv)) {
                servers.add(sv);
            }
        }
        for (String sv : servers) {
            ratio(t, "sequential calls/s vs reference (node client)", sv,
                    median("node", sv, "seq", Result::opsPerSecond)
                            / median("node", "reference", "seq", Result::opsPerSecond), 1.2, true);
            for (String sc : List.of("conc256", "pipeline", "batch")) {
                ratio(t, "server CPU per op vs reference, " + sc + " (node client)", sv,
                        median("node", sv, sc, Result::cpuMicrosPerOp)
                                / median("node", "reference", sc, Result::cpuMicrosPerOp), 0.5, false);
            }
            ratio(t, "1 MB echo MB/s vs reference (node client)", sv,
                    median("node", sv, "echo1m", Result::megabytesPerSecond)
                            / median("node", "reference", "echo1m", Result::megabytesPerSecond), 2.0, true);
            ratio(t, "java->java 256 in flight vs node->reference", sv,
                    median("java", sv, "conc256", Result::opsPerSecond)
                            / median("node", "reference", "conc256", Result::opsPerSecond), 3.0, true);
            // "vertx+direct" is the Vert.x transport too: its raw echo is raw-vertx.
            String raw = "raw-" + sv.split("\\+", 2)[0];
            ratio(t, "raw WS echo / RPC, sequential (java client)", sv,
                    median("java", raw, "rawseq", Result::opsPerSecond)
                            / median("java", sv, "seq", Result::opsPerSecond), 1.5, false);
            ratio(t, "raw WS echo / RPC, 256 in flight (java client)", sv,
                    median("java", raw, "raw256", Result::opsPerSecond)
                            / median("java", sv, "conc256", Result::opsPerSecond), 1.5, false);
        }
        return t;
    }

    private static void ratio(Table t, String goal, String server, double value, double target, boolean atLeast) {
        String met = Double.isNaN(value) ? "not measured" : (atLeast ? value >= target : value <= target) ? "yes" : "NO";
        t.row(goal, server, Double.isNaN(value) ? "-" : Table.num(value, 2) + "x", (atLeast ? ">= " : "<= ") + target + "x", met);
    }
}
