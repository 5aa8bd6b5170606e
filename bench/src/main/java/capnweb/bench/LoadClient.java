package capnweb.bench;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongFunction;

/**
 * The Java load client: runs the benchmark scenarios against a Cap'n Web server and prints a
 * table and one RESULT line per scenario (see {@link Result}).
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' capnweb.bench.LoadClient \
 *     --url http://127.0.0.1:PORT/rpc [--pid SERVER_PID] [--server NAME] [--transport jetty|vertx]
 *     [--scenarios seq,conc256,pipeline,echo1m,batch] [--seconds 5] [--warmup 2] [--direct]
 * </pre>
 *
 * {@code --direct} runs the client's sessions with {@code SessionOptions.directExecutor()}.
 *
 * Scenarios: {@code seq} one call at a time; {@code conc256} 256 calls in flight on one session;
 * {@code pipeline} makeCounter plus 10 pipelined increments, 16 chains in flight; {@code echo1m}
 * echo of a 1 MiB string, one at a time; {@code batch} one HTTP batch session per call, 8 in
 * flight; {@code sessions64} {@code square} over 64 WebSocket sessions, one call at a time on
 * each (not run by default); {@code rawseq} and {@code raw256} echo WebSocket messages with no
 * RPC (against {@code BenchServer PORT TRANSPORT raw}); {@code rawcall256} sends, with 256 in flight, the
 * frames of a {@code square} call with no RPC: a push and a pull, the pull's echo standing for
 * the answer, then a release.
 */
public final class LoadClient {
    static final List<String> RPC_SCENARIOS = List.of("seq", "conc256", "pipeline", "echo1m", "batch");
    static final String ONE_MIB = "x".repeat(1 << 20);
    /** A message the size of a square(7) call; the raw echo server answers it with itself. */
    static final String CALL_SIZED = "[\"echo\",[\"pipeline\",0,[\"square\"],[7]]]";
    /** The frames of one square call, client to server, for {@code rawcall256}. */
    static final String RAW_PUSH = "[\"push\",[\"pipeline\",0,[\"square\"],[7]]]";
    static final String RAW_PULL = "[\"pull\",123456]";
    static final String RAW_RELEASE = "[\"release\",123456,1]";

    private final URI httpUri;
    private final URI wsUri;
    private final String transport;
    private final ProcProbe probe;
    private final double seconds;
    private final double warmup;
    private final boolean direct;

    LoadClient(URI httpUri, String transport, ProcProbe probe, double seconds, double warmup, boolean direct) {
        this.httpUri = httpUri;
        this.wsUri = URI.create(httpUri.toString().replaceFirst("^http", "ws"));
        this.transport = transport;
        this.probe = probe;
        this.seconds = seconds;
        this.warmup = warmup;
        this.direct = direct;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        String url = opts.get("url");
        if (url == null || !url.startsWith("http://")) {
            System.err.println("Usage: LoadClient --url http://HOST:PORT/rpc [--pid PID] [--server NAME]"
                    + " [--client NAME] [--transport jetty|vertx] [--scenarios a,b] [--seconds S] [--warmup S] [--direct]");
            System.exit(2);
        }
        ProcProbe probe = opts.containsKey("pid") ? new ProcProbe(Long.parseLong(opts.get("pid"))) : null;
        String transport = opts.get("transport");
        if (transport != null) {
            System.setProperty("capnweb.transport", transport);
        }
        LoadClient client = new LoadClient(URI.create(url), transport, probe,
                Double.parseDouble(opts.getOrDefault("seconds", "5")),
                Double.parseDouble(opts.getOrDefault("warmup", "2")), opts.containsKey("direct"));
        String clientName = opts.getOrDefault("client", "java");
        String server = opts.getOrDefault("server", "server");
        List<String> scenarios = Arrays.asList(opts.getOrDefault("scenarios", String.join(",", RPC_SCENARIOS)).split(","));
        List<Result> results = new ArrayList<>();
        boolean failed = false;
        for (String scenario : scenarios) {
            Window.Measured m;
            try {
                m = client.run(scenario);
            } catch (Exception | Error e) {
                // One failing scenario must not cost the others their measurement.
                System.err.println("FAILED " + clientName + " -> " + server + " " + scenario + ": " + e);
                failed = true;
                continue;
            }
            long rss = probe == null ? -1 : probe.peakRssKib();
            Result r = new Result(clientName, server, scenario, m.ops(), m.seconds(),
                    m.latencies().percentile(50) / 1e3, m.latencies().percentile(99) / 1e3, m.cpuMicros(),
                    scenario.equals("echo1m") ? ONE_MIB.length() : 0, rss);
            results.add(r);
            System.out.println(r.line());
            System.out.flush();
        }
        System.out.print(table(results).render());
        System.exit(failed ? 1 : 0);
    }

    static Table table(List<Result> results) {
        Table t = new Table("client -> server", "scenario", "ops/s", "p50 us", "p99 us", "server CPU us/op",
                "MB/s each way", "server peak RSS MiB");
        for (Result r : results) {
            t.row(r.client() + " -> " + r.server(), r.scenario(), Table.num(r.opsPerSecond(), 0),
                    Table.num(r.p50Micros(), 0), Table.num(r.p99Micros(), 0), Table.num(r.cpuMicrosPerOp(), 1),
                    r.bytesPerOp() == 0 ? "-" : Table.num(r.megabytesPerSecond(), 1),
                    r.peakRssKib() < 0 ? "-" : Table.num(r.peakRssKib() / 1024.0, 0));
        }
        return t;
    }

    Window.Measured run(String scenario) throws Exception {
        switch (scenario) {
            case "seq":
                return overSession(1, main -> i -> square(main, i));
            case "conc256":
                return overSession(256, main -> i -> square(main, i));
            case "pipeline":
                return overSession(16, main -> i -> counterChain(main));
            case "echo1m":
                return overSession(1, main -> i -> echo(main, ONE_MIB));
            case "batch":
                return new Window(8, i -> batchSquare(i)).run(warmup, seconds, probe);
            case "sessions64":
                return overSessions(64);
            case "rawseq":
                return raw(1);
            case "raw256":
                return raw(256);
            case "rawcall256":
                return rawCall(256);
            default:
                throw new IllegalArgumentException("Unknown scenario '" + scenario + "'; known: "
                        + RPC_SCENARIOS + ", sessions64, rawseq, raw256, rawcall256");
        }
    }

    private ClientOptions options() {
        ClientOptions.Builder b = ClientOptions.builder();
        if (transport != null) {
            b.transport(transport);
        }
        if (direct) {
            b.sessionOptions(SessionOptions.builder().directExecutor().build());
        }
        return b.build();
    }

    private Window.Measured overSession(int inFlight,
            java.util.function.Function<RpcStub, LongFunction<CompletionStage<?>>> op) throws Exception {
        try (RpcSession session = CapnWeb.connect(wsUri, options()); RpcStub main = session.main()) {
            return new Window(inFlight, op.apply(main)).run(warmup, seconds, probe);
        }
    }

    /** {@code count} WebSocket sessions, each with one {@code square} call at a time. */
    private Window.Measured overSessions(int count) throws Exception {
        List<RpcSession> sessions = new ArrayList<>();
        ConcurrentLinkedQueue<RpcStub> idle = new ConcurrentLinkedQueue<>();
        try {
            for (int k = 0; k < count; k++) {
                RpcSession session = CapnWeb.connect(wsUri, options());
                sessions.add(session);
                idle.add(session.main());
            }
            // As many operations in flight as sessions, each taking an idle session and giving it
            // back when its call is answered, so each session has one call at a time.
            return new Window(count, i -> {
                RpcStub main = idle.poll();
                return square(main, i).whenComplete((v, e) -> idle.add(main));
            }).run(warmup, seconds, probe);
        } finally {
            for (RpcSession session : sessions) {
                session.close();
            }
        }
    }

    private static CompletionStage<?> square(RpcStub main, long i) {
        long x = i % 1000;
        RpcPromise p = main.call("square", x);
        return p.whenComplete((v, e) -> p.close()).thenAccept(v -> expect(v, (double) (x * x)));
    }

    private static CompletionStage<?> counterChain(RpcStub main) {
        RpcPromise counter = main.call("makeCounter", 0);
        RpcPromise[] steps = new RpcPromise[10];
        for (int k = 0; k < steps.length; k++) {
            steps[k] = counter.call("increment", 1);
        }
        return steps[9].whenComplete((v, e) -> {
            for (RpcPromise s : steps) {
                s.close();
            }
            counter.close();
        }).thenAccept(v -> expect(v, 10.0));
    }

    private static CompletionStage<?> echo(RpcStub main, String text) {
        RpcPromise p = main.call("echo", text);
        return p.whenComplete((v, e) -> p.close()).thenAccept(v -> {
            if (!(v instanceof String) || ((String) v).length() != text.length()) {
                throw new IllegalStateException("echo returned something else than what was sent");
            }
        });
    }

    private CompletionStage<?> batchSquare(long i) {
        long x = i % 1000;
        return CapnWeb.connectAsync(httpUri, options()).thenCompose(session -> {
            RpcStub main = session.main();
            RpcPromise p = main.call("square", x);
            CompletionStage<?> done = p.whenComplete((v, e) -> {
                p.close();
                main.close();
                session.close();
            }).thenAccept(v -> expect(v, (double) (x * x)));
            session.sendBatch(); // the result is asked for: no need to wait for the quiet period
            return done;
        });
    }

    private Window.Measured raw(int inFlight) throws Exception {
        try (RawEcho.Client client = RawEcho.Client.connect(wsUri, transport)) {
            return new Window(inFlight, i -> client.send(CALL_SIZED)).run(warmup, seconds, probe);
        }
    }

    /** The frames of an RPC call with no RPC: push, pull, the pull's echo, then release. */
    private Window.Measured rawCall(int inFlight) throws Exception {
        try (RawEcho.Client client = RawEcho.Client.connect(wsUri, transport)) {
            return new Window(inFlight, i -> {
                client.sendUnanswered(RAW_PUSH);
                return client.send(RAW_PULL).thenAccept(answer -> client.sendUnanswered(RAW_RELEASE));
            }).run(warmup, seconds, probe);
        }
    }

    private static void expect(Object value, double expected) {
        if (!(value instanceof Number) || ((Number) value).doubleValue() != expected) {
            throw new IllegalStateException("Expected " + expected + " but the server returned " + value);
        }
    }

    /** Options are {@code --name value} pairs, or {@code --name} alone for a flag. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Options are --name value or --name; got '" + args[i] + "'");
            }
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            opts.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        return opts;
    }

    static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
