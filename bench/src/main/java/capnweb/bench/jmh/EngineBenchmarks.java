package capnweb.bench.jmh;

import capnweb.api.CapnWeb;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.RpcEngine;
import capnweb.bench.BenchTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine alone, through the public API, over an in-memory transport pair: a client session
 * calling a server session's {@link BenchTarget}. Each benchmark is one complete round trip
 * (encode, decode, dispatch, answer), so the score is round trips per second.
 *
 * <p>Run with {@code bench/jmh.sh} (all) or {@code bench/jmh.sh EngineBenchmarks.call}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class EngineBenchmarks {
    /** The batch a reference client sends for {@code await api.square(7)}. */
    static final String SQUARE_BATCH = "[\"push\",[\"pipeline\",0,[\"square\"],[7]]]\n[\"pull\",1]";

    /** Every session the trial opened, closed at its end. */
    private final List<RpcSession> opened = new ArrayList<>();
    private RpcStub main;
    private RpcStub directMain;
    private RpcStub interceptedMain;
    private RpcStub outgoingMain;
    /** What the timing interceptors of the intercepted benchmarks add up. */
    private long nanosInCalls;
    private final RpcPromise[] inFlight = new RpcPromise[256];
    private RpcEngine engine;
    private SessionOptions directOptions;
    private Map<String, Object> typical;
    private String oneMiB;

    @Setup(Level.Trial)
    public void setUp() {
        main = connect(SessionOptions.defaults(), SessionOptions.defaults());
        // Both ends on the calling thread: no hand-offs, so the time is the engine's CPU alone.
        SessionOptions direct = SessionOptions.builder().directExecutor().build();
        directMain = connect(direct, direct);
        // The same, with a server interceptor that times each call, as a metrics one would.
        SessionOptions timed = direct.toBuilder().interceptor(call -> {
            long start = System.nanoTime();
            return call.proceed().whenComplete((result, error) -> nanosInCalls += System.nanoTime() - start);
        }).build();
        interceptedMain = connect(timed, direct);
        // And with a client interceptor that times each call it makes.
        SessionOptions timedCalls = direct.toBuilder().outgoingInterceptor(call -> {
            long start = System.nanoTime();
            RpcPromise promise = call.proceed();
            promise.whenComplete((result, error) -> nanosInCalls += System.nanoTime() - start);
            return promise;
        }).build();
        outgoingMain = connect(direct, timedCalls);
        engine = ProviderRegistry.load().engine();
        directOptions = direct;
        typical = new LinkedHashMap<>();
        typical.put("id", 12345L);
        typical.put("name", "Alice Example");
        typical.put("email", "alice@example.com");
        typical.put("active", true);
        typical.put("score", 98.5);
        typical.put("tags", List.of("admin", "beta", "eu-west"));
        typical.put("address", Map.of("street", "1 Main St", "city", "Springfield", "zip", "12345"));
        oneMiB = "x".repeat(1 << 20);
    }

    /** A server session of a {@link BenchTarget} and a client session over a memory pair: the client's main stub. */
    private RpcStub connect(SessionOptions serverOptions, SessionOptions clientOptions) {
        MemoryTransport[] pair = MemoryTransport.pair();
        opened.add(CapnWeb.newSession(pair[1], new BenchTarget(), serverOptions));
        RpcSession client = CapnWeb.newSession(pair[0], Undefined.INSTANCE, clientOptions);
        opened.add(client);
        return client.main();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (RpcStub stub : List.of(main, directMain, interceptedMain, outgoingMain)) {
            stub.close();
        }
        opened.forEach(RpcSession::close);
    }

    /** One call with a number argument and a number result. */
    @Benchmark
    public Object call() {
        return join(main.call("square", 7));
    }

    /**
     * 256 calls in flight, then their answers, with both sessions on the benchmark's thread
     * ({@code directExecutor()}): no thread hand-offs and no sockets, so the time per operation,
     * divided by 256, is the CPU both engines spend on one call (push, pull, resolve, release).
     */
    @Benchmark
    @OperationsPerInvocation(256)
    public Object call256Direct() {
        return call256(directMain);
    }

    /**
     * {@link #call256Direct} with a {@code CallInterceptor} on the server that times each call:
     * the difference is what such an interceptor costs per call.
     */
    @Benchmark
    @OperationsPerInvocation(256)
    public Object call256DirectIntercepted() {
        return call256(interceptedMain);
    }

    /**
     * {@link #call256Direct} with an {@code OutgoingCallInterceptor} on the client that times each
     * call: the difference is what such an interceptor costs per call.
     */
    @Benchmark
    @OperationsPerInvocation(256)
    public Object call256DirectOutgoingIntercepted() {
        return call256(outgoingMain);
    }

    private Object call256(RpcStub target) {
        for (int i = 0; i < inFlight.length; i++) {
            inFlight[i] = target.call("square", i);
        }
        Object last = null;
        for (RpcPromise p : inFlight) {
            last = join(p);
        }
        return last;
    }

    /** A typical small JSON object (a user record) there and back. */
    @Benchmark
    public Object echoTypical() {
        return join(main.call("echo", typical));
    }

    /** A 1 MiB string there and back. */
    @Benchmark
    @Measurement(iterations = 5, time = 4)
    public Object echo1MiB() {
        return join(main.call("echo", oneMiB));
    }

    /** makeCounter and 10 increments pipelined on its promise, in one round trip. */
    @Benchmark
    public Object pipelinedChain() {
        RpcPromise counter = main.call("makeCounter", 0);
        RpcPromise[] steps = new RpcPromise[10];
        for (int k = 0; k < steps.length; k++) {
            steps[k] = counter.call("increment", 1);
        }
        Object result = steps[9].join();
        for (RpcPromise s : steps) {
            s.close();
        }
        counter.close();
        return result;
    }

    /** A whole HTTP batch session on the server side: the request body in, the response out. */
    @Benchmark
    public String batch() {
        return engine.serveBatch(SQUARE_BATCH, new BenchTarget(), SessionOptions.defaults())
                .toCompletableFuture().join();
    }

    /**
     * {@link #batch} with {@code directExecutor()}, as a Vert.x server so configured serves it on
     * its event loop.
     */
    @Benchmark
    public String batchDirect() {
        return engine.serveBatch(SQUARE_BATCH, new BenchTarget(), directOptions)
                .toCompletableFuture().join();
    }

    private static Object join(RpcPromise p) {
        try {
            return p.join();
        } finally {
            p.close();
        }
    }
}
