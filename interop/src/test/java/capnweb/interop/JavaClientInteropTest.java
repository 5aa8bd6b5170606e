package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcException;
import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.RpcBlob;
import capnweb.api.RpcHeaders;
import capnweb.api.RpcReadableStream;
import capnweb.api.RpcRequest;
import capnweb.api.RpcResponse;
import capnweb.api.RpcStreams;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client, through each transport and each endpoint, against the reference server
 * (interop/node/server.mjs, npm capnweb) exposing the same TestTarget.
 *
 * <p>An HTTP batch session sends everything issued before the first result is awaited in one
 * request and takes no calls afterwards, and its server cannot call back; cases that need more
 * run over WebSocket only.
 */
class JavaClientInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> TRANSPORTS = List.of("jetty", "vertx");
    private static Node.ReadyProcess referenceServer;

    @BeforeAll
    static void startReferenceServer() {
        referenceServer = Node.startReferenceServer();
    }

    @AfterAll
    static void stopReferenceServer() {
        if (referenceServer != null) {
            referenceServer.close();
        }
    }

    /** Opens sessions to the reference server; closes them all when the case ends. */
    static final class Peer implements AutoCloseable {
        final String transport;
        final boolean webSocket;
        private final List<RpcSession> sessions = new CopyOnWriteArrayList<>();

        Peer(String transport, boolean webSocket) {
            this.transport = transport;
            this.webSocket = webSocket;
        }

        /** A fresh session's main stub (for HTTP batch: a fresh batch). */
        RpcStub connect() {
            return connect(SessionOptions.defaults());
        }

        /** A fresh session's main stub, the session made with {@code options}. */
        RpcStub connect(SessionOptions options) {
            URI uri = URI.create((webSocket ? "ws" : "http") + "://127.0.0.1:" + referenceServer.port() + "/rpc");
            RpcSession session = CapnWeb.connect(uri,
                    ClientOptions.builder().transport(transport).sessionOptions(options).build());
            sessions.add(session);
            return session.main();
        }

        /**
         * Asks for every result in one step on the latest session, so that an HTTP batch carries
         * all of them; each promise is then awaited on its own.
         */
        void askAll(RpcPromise... promises) {
            sessions.get(sessions.size() - 1).whenAll(promises);
        }

        /** The results of {@code promises} of the latest session, asked for in one step. */
        List<Object> whenAll(RpcPromise... promises) throws Exception {
            return sessions.get(sessions.size() - 1).whenAll(promises).get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            for (RpcSession session : sessions) {
                session.close();
            }
        }
    }

    @FunctionalInterface
    interface Body {
        void run(Peer peer) throws Exception;
    }

    private record Case(String name, boolean httpToo, Body body) {
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void both(String name, Body body) {
        CASES.add(new Case(name, true, body));
    }

    private static void wsOnly(String name, Body body) {
        CASES.add(new Case(name, false, body));
    }

    private static Object await(RpcPromise promise) {
        return promise.join(WAIT);
    }

    private static RpcException rejection(RpcPromise promise) {
        Throwable thrown = catchThrowable(() -> promise.join(WAIT));
        assertThat(thrown).as("the call should have been rejected").isInstanceOf(RpcException.class);
        return (RpcException) thrown;
    }

    /**
     * The results of many calls. Over WebSocket each promise is awaited on its own; an HTTP batch
     * must carry every result in its one response, so there the promises travel as the argument
     * of one echo call and are resolved by the server, which needs a single pull.
     */
    private static List<Object> awaitAll(Peer peer, RpcStub api, List<RpcPromise> promises) throws Exception {
        if (!peer.webSocket) {
            Object all = await(api.call("echo", new ArrayList<Object>(promises)));
            assertThat(all).isInstanceOf(List.class);
            return new ArrayList<>((List<?>) all);
        }
        List<CompletableFuture<Object>> calls = promises.stream()
                .map(RpcPromise::toCompletableFuture).collect(Collectors.toList());
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return calls.stream().map(CompletableFuture::join).collect(Collectors.toList());
    }

    private static void echoes(String name, Object value) {
        both("echo." + name, peer -> assertThat(await(peer.connect().call("echo", value))).isEqualTo(value));
    }

    /** A Java counter the server can call and release. */
    public static final class ClosableCounter implements RpcTarget, AutoCloseable {
        private final AtomicInteger value;
        final AtomicBoolean closed = new AtomicBoolean();

        ClosableCounter(int start) {
            value = new AtomicInteger(start);
        }

        public double increment(double amount) {
            return value.addAndGet((int) amount);
        }

        public double value() {
            return value.get();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    /** A Java object with its own square(), to prove the server called it. */
    public static final class Squarer implements RpcTarget {
        final AtomicInteger calls = new AtomicInteger();

        public double square(double i) {
            calls.incrementAndGet();
            return 1000 + i;
        }
    }

    static {
        // TestTarget members
        both("interceptors.outgoing", peer -> {
            // Stops a call before it leaves, and watches the results of the others: watching
            // asks for a result the application never awaits, in the same batch.
            List<String> seen = new CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(2);
            RpcStub api = peer.connect(SessionOptions.builder().outgoingInterceptor(call -> {
                if (((Number) call.arguments().get(0)).doubleValue() < 0) {
                    throw RpcException.of("RangeError", "This client squares no negative numbers.");
                }
                RpcPromise promise = call.proceed();
                promise.whenComplete((result, error) -> {
                    seen.add(call.method() + " " + call.arguments().get(0) + " = " + result);
                    settled.countDown();
                });
                return promise;
            }).build());
            RpcPromise refused = api.call("square", -2);
            RpcPromise notAwaited = api.call("square", 3);
            assertThat(await(api.call("square", 4))).isEqualTo(16L);
            assertThat(settled.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).containsExactlyInAnyOrder("square 3 = 9", "square 4 = 16");
            assertThat(rejection(refused)).hasMessage("This client squares no negative numbers.")
                    .satisfies(e -> assertThat(e.type()).isEqualTo("RangeError"));
            notAwaited.close();
        });
        both("square.integer", peer -> assertThat(await(peer.connect().call("square", 5))).isEqualTo(25L));
        both("square.fraction", peer -> assertThat(await(peer.connect().call("square", 1.5))).isEqualTo(2.25));
        both("square.negative", peer -> assertThat(await(peer.connect().call("square", -4))).isEqualTo(16L));
        both("callSquare.serverSelf", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("callSquare", api, 3))).isEqualTo(Map.of("result", 9L));
        });
        wsOnly("callSquare.javaTarget", peer -> {
            Squarer local = new Squarer();
            // The result is a promise for a call into this client, so it resolves locally to the
            // very value Squarer returned (a double), not to a copy that crossed the wire.
            Object result = await(peer.connect().call("callSquare", local, 7));
            assertThat(result).isInstanceOf(Map.class);
            assertThat(new ArrayList<Object>(((Map<?, ?>) result).keySet())).containsExactly("result");
            assertThat(((Number) ((Map<?, ?>) result).get("result")).doubleValue()).isEqualTo(1007.0);
            assertThat(local.calls).hasValue(1);
        });
        wsOnly("callFunction.javaFunction", peer -> {
            RpcFunction timesTen = args -> ((Number) args[0]).doubleValue() * 10;
            assertThat(await(peer.connect().call("callFunction", timesTen, 4))).isEqualTo(Map.of("result", 40L));
        });
        wsOnly("callFunction.asyncJavaFunction", peer -> {
            RpcFunction slow = args -> CompletableFuture.supplyAsync(() -> "got " + args[0],
                    CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
            assertThat(await(peer.connect().call("callFunction", slow, 3))).isEqualTo(Map.of("result", "got 3"));
        });
        wsOnly("callFunction.rejectionKeepsTypeMessageAndProperties", peer -> {
            RpcFunction failing = args -> {
                throw RpcException.of("TypeError", "java failure", Map.of("code", "E_JAVA"));
            };
            RpcException err = rejection(peer.connect().call("callFunction", failing, 1));
            assertThat(err.type()).isEqualTo("TypeError");
            assertThat(err.getMessage()).isEqualTo("java failure");
            assertThat(err.properties()).containsEntry("code", "E_JAVA");
        });
        wsOnly("callFunction.callbackCallsServerAgain", peer -> {
            RpcStub api = peer.connect();
            RpcFunction viaServer = args -> api.call("square", args[0]);
            assertThat(await(api.call("callFunction", viaServer, 6))).isEqualTo(Map.of("result", 36L));
        });
        both("throwError.rangeError", peer -> {
            RpcException err = rejection(peer.connect().call("throwError"));
            assertThat(err.type()).isEqualTo("RangeError");
            assertThat(err.getMessage()).isEqualTo("test error");
        });
        both("throwError.sessionGoesOn", peer -> {
            RpcStub api = peer.connect();
            RpcPromise failed = api.call("throwError");
            RpcPromise after = api.call("square", 3);
            peer.askAll(failed, after);
            assertThat(rejection(failed).type()).isEqualTo("RangeError");
            assertThat(await(after)).isEqualTo(9L);
        });
        both("makeCounter.pipelinedIncrements", peer -> {
            RpcPromise counter = peer.connect().call("makeCounter", 4);
            assertThat(peer.whenAll(counter.call("increment"), counter.call("increment", 4))).containsExactly(5L, 9L);
        });
        wsOnly("makeCounter.awaitedStub", peer -> {
            Object counter = await(peer.connect().call("makeCounter", 10));
            assertThat(counter).isInstanceOf(RpcStub.class);
            try (RpcStub stub = (RpcStub) counter) {
                assertThat(await(stub.call("increment", 5))).isEqualTo(15L);
                assertThat(await(stub.call("increment", -20))).isEqualTo(-5L);
            }
        });
        both("counter.valueProperty", peer -> {
            RpcPromise counter = peer.connect().call("makeCounter", 7);
            assertThat(peer.whenAll(counter.call("increment", 3), counter.get("value"))).containsExactly(10L, 10L);
        });
        both("incrementCounter.serverCounter", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("incrementCounter", api.call("makeCounter", 2), 4))).isEqualTo(6L);
        });
        both("incrementCounter.defaultAmount", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("incrementCounter", api.call("makeCounter", 2)))).isEqualTo(3L);
        });
        wsOnly("incrementCounter.javaCounter", peer -> {
            Counter local = new Counter(4);
            assertThat(await(peer.connect().call("incrementCounter", local, 9))).isEqualTo(13L);
            assertThat(local.value()).isEqualTo(13.0);
        });
        both("generateFibonacci.ten", peer -> assertThat(await(peer.connect().call("generateFibonacci", 10)))
                .isEqualTo(List.of(0L, 1L, 1L, 2L, 3L, 5L, 8L, 13L, 21L, 34L)));
        both("generateFibonacci.zero", peer -> assertThat(await(peer.connect().call("generateFibonacci", 0)))
                .isEqualTo(List.of()));
        both("returnNull", peer -> assertThat(await(peer.connect().call("returnNull"))).isNull());
        both("returnUndefined", peer -> assertThat(await(peer.connect().call("returnUndefined"))).isSameAs(Undefined.INSTANCE));
        both("returnNumber.integer", peer -> assertThat(await(peer.connect().call("returnNumber", 42))).isEqualTo(42L));
        both("returnNumber.fraction", peer -> assertThat(await(peer.connect().call("returnNumber", -0.5))).isEqualTo(-0.5));
        both("add.integers", peer -> assertThat(await(peer.connect().call("add", 2, 3))).isEqualTo(5L));
        both("add.fractions", peer -> assertThat(await(peer.connect().call("add", 0.1, 0.2))).isEqualTo(0.30000000000000004));
        both("add.strings", peer -> assertThat(await(peer.connect().call("add", "foo", "bar"))).isEqualTo("foobar"));
        both("missingMethod.typeErrorAndSessionGoesOn", peer -> {
            RpcStub api = peer.connect();
            RpcPromise missing = api.call("noSuchMethod", 1);
            RpcPromise after = api.call("square", 2);
            peer.askAll(missing, after);
            RpcException err = rejection(missing);
            assertThat(err.type()).isEqualTo("TypeError");
            assertThat(err.getMessage()).contains("noSuchMethod");
            assertThat(await(after)).isEqualTo(4L);
        });

        both("property.missingIsUndefined", peer ->
                assertThat(await(peer.connect().get("noSuchProperty"))).isSameAs(Undefined.INSTANCE));
        both("property.ofPipelinedResult", peer ->
                assertThat(await(peer.connect().call("makeCounter", 3).get("value"))).isEqualTo(3L));

        both("joinConvertsToRequestedType", peer -> {
            RpcStub api = peer.connect();
            RpcPromise squared = api.call("square", 3);
            assertThat(squared.join(Double.class)).isEqualTo(9.0);
        });
        wsOnly("serverCounterStubPassedBack", peer -> {
            RpcStub api = peer.connect();
            try (RpcStub counter = (RpcStub) await(api.call("makeCounter", 1))) {
                assertThat(await(api.call("incrementCounter", counter, 2))).isEqualTo(3L);
                assertThat(await(counter.get("value"))).isEqualTo(3L);
            }
        });

        // Values through echo
        echoes("loneSurrogates", "a\uD800b\uDC00c\uDFFF");
        echoes("controlCharacters", "\u0000\u0001\u001f\u007f\u2028\u2029\t\n\r\"\\/");
        echoes("unicode", "h\u00e9llo \u2713 \uD83D\uDE00 \u4e2d\u6587");
        echoes("maxSafeInteger", 9007199254740991L);
        echoes("NaN", Double.NaN);
        echoes("Infinity", Double.POSITIVE_INFINITY);
        echoes("negativeInfinity", Double.NEGATIVE_INFINITY);
        echoes("twoToThe64AsDouble", 18446744073709551616.0);
        echoes("bigintBeyond64Bits", BigInteger.TWO.pow(64).add(BigInteger.ONE));
        echoes("bigintHugeNegative", BigInteger.TWO.pow(200).negate().subtract(BigInteger.valueOf(7)));
        echoes("date", Instant.ofEpochMilli(1700000000123L));
        echoes("dateBefore1970", Instant.parse("1900-01-01T00:00:00.001Z"));
        echoes("url", URI.create("https://example.com/a/b?c=d&e=%20#frag"));
        echoes("nestedLists", List.of(List.of(1L, List.of(2L, List.of(3L, List.of()))), List.of(List.of())));
        echoes("listLooksLikeSpecialValues", List.of(List.of("bigint", "1"), List.of("undefined"),
                List.of("import", 0L), List.of("export", 1L), List.of("error", "Error", "x"), List.of("date", 0L)));
        echoes("listWithNullAndUndefined", Arrays.asList(1L, null, Undefined.INSTANCE, 3L));
        both("echo.bytes", peer -> {
            byte[] sent = {0, 1, 2, 127, -128, -1};
            assertThat((byte[]) await(peer.connect().call("echo", (Object) sent))).containsExactly(sent);
        });
        both("echo.mapKeepsKeyOrderAndUndefined", peer -> {
            Map<String, Object> sent = new LinkedHashMap<>();
            sent.put("zebra", 1L);
            sent.put("undef", Undefined.INSTANCE);
            sent.put("apple", null);
            sent.put("", "empty key");
            Object result = await(peer.connect().call("echo", sent));
            assertThat(result).isEqualTo(sent);
            assertThat(new ArrayList<Object>(((Map<?, ?>) result).keySet())).containsExactly("zebra", "undef", "apple", "");
        });
        both("echo.errorValue", peer -> {
            Object result = await(peer.connect().call("echo", RpcException.of("TypeError", "boom", Map.of("code", 42L))));
            assertThat(result).isInstanceOf(RpcException.class);
            RpcException err = (RpcException) result;
            assertThat(err.type()).isEqualTo("TypeError");
            assertThat(err.getMessage()).isEqualTo("boom");
            assertThat(err.properties()).containsEntry("code", 42L);
        });
        both("echo.errorWithCause", peer -> {
            RpcException sent = RpcException.of("Error", "outer", Map.of("cause", RpcException.of("RangeError", "inner")));
            RpcException err = (RpcException) await(peer.connect().call("echo", sent));
            assertThat(err.getMessage()).isEqualTo("outer");
            assertThat(err.properties().get("cause")).isInstanceOfSatisfying(RpcException.class, cause -> {
                assertThat(cause.type()).isEqualTo("RangeError");
                assertThat(cause.getMessage()).isEqualTo("inner");
            });
        });
        both("echo.largeString", peer -> {
            String sent = "x".repeat(1_000_000) + "\u00e9";
            assertThat(await(peer.connect().call("echo", sent))).isEqualTo(sent);
        });
        both("echo.serverCounterPromise", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("echo", api.call("makeCounter", 1)).call("increment"))).isEqualTo(2L);
        });
        both("echo.objectHoldingServerStub", peer -> {
            RpcStub api = peer.connect();
            Map<String, Object> sent = new LinkedHashMap<>();
            sent.put("counter", api.call("makeCounter", 10));
            sent.put("label", "c");
            RpcPromise holder = api.call("echo", sent);
            assertThat(peer.whenAll(holder.get("counter").call("increment", 5), holder.get("label")))
                    .containsExactly(15L, "c");
        });
        wsOnly("echo.javaTargetComesBackCallable", peer -> {
            Counter local = new Counter(1);
            Object result = await(peer.connect().call("echo", Map.of("back", local)));
            Object back = ((Map<?, ?>) result).get("back");
            assertThat(back).isInstanceOf(RpcStub.class);
            assertThat(await(((RpcStub) back).call("increment", 2))).isIn(3L, 3.0);
            assertThat(local.value()).isEqualTo(3.0);
        });

        // Pipelining
        both("pipeline.promiseAsArgument", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("square", api.call("square", 2)))).isEqualTo(16L);
        });
        both("pipeline.nestedPromiseArguments", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("square", api.call("add", 1, api.call("square", 2))))).isEqualTo(25L);
        });
        both("pipeline.promiseInsideMapArgument", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("echo", Map.of("a", api.call("square", 3))))).isEqualTo(Map.of("a", 9L));
        });
        both("pipeline.propertyOfResult", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("callSquare", api, 4).get("result"))).isEqualTo(16L);
        });
        both("pipeline.counterFromPromise", peer -> {
            RpcStub api = peer.connect();
            assertThat(await(api.call("makeCounter", api.call("square", 3)).call("increment", 1))).isEqualTo(10L);
        });
        both("pipeline.errorPropagatesToPipelinedCall", peer -> {
            RpcException err = rejection(peer.connect().call("throwError").call("foo"));
            assertThat(err.type()).isEqualTo("RangeError");
            assertThat(err.getMessage()).isEqualTo("test error");
        });
        both("pipeline.errorPropagatesToArgument", peer -> {
            RpcStub api = peer.connect();
            assertThat(rejection(api.call("square", api.call("throwError"))).type()).isEqualTo("RangeError");
        });
        both("pipeline.severalCallsInOneBatch", peer -> {
            RpcStub api = peer.connect();
            RpcPromise counter = api.call("makeCounter", 2);
            assertThat(peer.whenAll(api.call("square", 6), counter.call("increment", 3),
                    api.call("incrementCounter", counter, 4), api.call("generateFibonacci", 5)))
                    .containsExactly(36L, 5L, 9L, List.of(0L, 1L, 1L, 2L, 3L));
        });

        // Disposal
        wsOnly("dispose.closedStubFailsAndDupKeepsWorking", peer -> {
            RpcStub counter = (RpcStub) await(peer.connect().call("makeCounter", 1));
            RpcStub copy = counter.dup();
            counter.close();
            assertThatThrownBy(() -> counter.call("increment").join(WAIT)).isNotNull();
            assertThat(await(copy.call("increment"))).isEqualTo(2L);
            copy.close();
        });
        wsOnly("dispose.sessionGoesOnAfterDisposal", peer -> {
            RpcStub api = peer.connect();
            for (int i = 0; i < 5; i++) {
                try (RpcStub counter = (RpcStub) await(api.call("makeCounter", i))) {
                    assertThat(await(counter.call("increment"))).isEqualTo((long) i + 1);
                }
            }
            assertThat(await(api.call("square", 3))).isEqualTo(9L);
        });
        both("dispose.unawaitedPromise", peer -> {
            RpcStub api = peer.connect();
            api.call("makeCounter", 5).close();
            assertThat(await(api.call("square", 2))).isEqualTo(4L);
        });
        wsOnly("dispose.serverReleasesJavaTargetAfterCall", peer -> {
            ClosableCounter local = new ClosableCounter(0);
            assertThat(await(peer.connect().call("incrementCounter", local, 2))).isEqualTo(2L);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!local.closed.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(local.closed).as("closed once the server released it").isTrue();
        });

        // Volume
        both("concurrency.thousandCalls", peer -> {
            RpcStub api = peer.connect();
            List<RpcPromise> promises = IntStream.range(0, 1000)
                    .mapToObj(i -> api.call("square", i)).collect(Collectors.toList());
            List<Object> results = awaitAll(peer, api, promises);
            for (int i = 0; i < 1000; i++) {
                assertThat(results.get(i)).isEqualTo((long) i * i);
            }
        });
        both("concurrency.callsStartInOrder", peer -> {
            RpcStub api = peer.connect();
            RpcPromise counter = api.call("makeCounter", 0);
            List<RpcPromise> promises = IntStream.range(0, 200)
                    .mapToObj(i -> counter.call("increment")).collect(Collectors.toList());
            List<Object> results = awaitAll(peer, api, promises);
            for (int i = 0; i < 200; i++) {
                assertThat(results.get(i)).isEqualTo((long) i + 1);
            }
        });
        wsOnly("concurrency.manySessions", peer -> {
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(peer.connect().call("add", i, 0.5).toCompletableFuture());
            }
            for (int i = 0; i < 20; i++) {
                assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i + 0.5);
            }
        });
    }

    // Streams, blobs and the Fetch types (WebSocket only: acknowledgements must flow back while
    // a call runs).

    /** A publisher of {@code count} chunks of {@code size} bytes, counting what it produced. */
    private static Flow.Publisher<Object> byteChunks(int count, int size, AtomicInteger produced) {
        byte[] chunk = new byte[size];
        return RpcStreams.publisherOf(() -> new java.util.Iterator<Object>() {
            @Override
            public boolean hasNext() {
                return produced.get() < count;
            }

            @Override
            public Object next() {
                produced.incrementAndGet();
                return chunk;
            }
        });
    }

    /** A subscriber that records what it is given, requesting one chunk at a time. */
    static final class Recorder implements Flow.Subscriber<Object> {
        final List<Object> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<List<Object>> done = new CompletableFuture<>();
        private final long delayMillis;
        private final Object failOn;
        private Flow.Subscription subscription;

        Recorder(long delayMillis, Object failOn) {
            this.delayMillis = delayMillis;
            this.failOn = failOn;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(Object item) {
            if (item.equals(failOn)) {
                throw RpcException.of("TypeError", "cannot take " + item);
            }
            received.add(item);
            if (delayMillis > 0) {
                CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> subscription.request(1));
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(received);
        }
    }

    static {
        both("echo.headers", peer -> {
            Object result = await(peer.connect().call("echo", RpcHeaders.of("b", "2", "a", "1")));
            // A JavaScript Headers iterates sorted by name.
            assertThat(result).isEqualTo(RpcHeaders.of("a", "1", "b", "2"));
        });
        wsOnly("streams.echoBlob", peer -> {
            RpcBlob blob = RpcBlob.of("text/plain", new byte[] {104, 105, 0, -1});
            assertThat(await(peer.connect().call("echoBlob", blob))).isEqualTo(blob);
        });
        wsOnly("streams.echoEmptyBlob", peer -> {
            RpcBlob blob = RpcBlob.of("", new byte[0]);
            assertThat(await(peer.connect().call("echoBlob", blob))).isEqualTo(blob);
        });
        wsOnly("streams.echoLargeBlob", peer -> {
            byte[] bytes = new byte[3 * 1024 * 1024];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * 7);
            }
            RpcBlob blob = RpcBlob.of("application/octet-stream", bytes);
            assertThat(await(peer.connect().call("echoBlob", blob))).isEqualTo(blob);
        });
        wsOnly("streams.streamNumbers", peer -> {
            Object readable = await(peer.connect().call("streamNumbers", 10));
            assertThat(readable).isInstanceOf(RpcReadableStream.class);
            assertThat(RpcStreams.readAll((RpcReadableStream) readable).toCompletableFuture().get(20, TimeUnit.SECONDS))
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        });
        wsOnly("streams.streamNumbersCanceledEarly", peer -> {
            RpcStub api = peer.connect();
            RpcReadableStream readable = (RpcReadableStream) await(api.call("streamNumbers", 1000000));
            List<Object> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> twoSeen = new CompletableFuture<>();
            readable.subscribe(new Flow.Subscriber<Object>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(2);
                }

                @Override
                public void onNext(Object item) {
                    seen.add(item);
                    if (seen.size() == 2) {
                        subscription.cancel();
                        twoSeen.complete(null);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    twoSeen.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                }
            });
            twoSeen.get(20, TimeUnit.SECONDS);
            assertThat(seen).containsExactly(0L, 1L);
            assertThat(await(api.call("square", 3))).isEqualTo(9L);
        });
        wsOnly("streams.sumStream", peer ->
                assertThat(await(peer.connect().call("sumStream", RpcStreams.publisherOf(1, 2, 3.5, -1)))).isEqualTo(5.5));
        wsOnly("streams.sumStreamEmpty", peer ->
                assertThat(await(peer.connect().call("sumStream", RpcStreams.publisherOf()))).isEqualTo(0L));
        wsOnly("streams.sumStreamError", peer -> {
            RpcStub api = peer.connect();
            Flow.Publisher<Object> failing = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
                private boolean sent;

                @Override
                public void request(long n) {
                    if (!sent) {
                        sent = true;
                        subscriber.onNext(1);
                        subscriber.onError(RpcException.of("RangeError", "stream broke"));
                    }
                }

                @Override
                public void cancel() {
                }
            });
            RpcException err = rejection(api.call("sumStream", failing));
            assertThat(err.type()).isEqualTo("RangeError");
            assertThat(err.getMessage()).isEqualTo("stream broke");
            assertThat(await(api.call("square", 2))).isEqualTo(4L);
        });
        wsOnly("streams.countBytes", peer -> assertThat(await(peer.connect().call("countBytes",
                RpcStreams.publisherOf(new byte[1000], new byte[0], new byte[65536], new byte[7])))).isEqualTo(66543L));
        wsOnly("streams.countBytesLarge", peer -> assertThat(await(peer.connect().call("countBytes",
                byteChunks(256, 64 * 1024, new AtomicInteger())))).isEqualTo(16L * 1024 * 1024));
        wsOnly("streams.uploadDoesNotHoldUpCalls", peer -> {
            RpcStub api = peer.connect();
            AtomicInteger produced = new AtomicInteger();
            int total = 1024;
            RpcPromise upload = api.call("countBytes", byteChunks(total, 64 * 1024, produced));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (produced.get() <= 16 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(await(api.call("square", 12))).isEqualTo(144L);
            assertThat(produced.get()).as("chunks produced when the call came back").isLessThan(total);
            assertThat(upload.join(Duration.ofSeconds(60))).isEqualTo((long) total * 64 * 1024);
        });
        wsOnly("streams.writeTo", peer -> {
            Recorder recorder = new Recorder(0, null);
            assertThat(await(peer.connect().call("writeTo", recorder, 5))).isEqualTo(Undefined.INSTANCE);
            assertThat(recorder.done.get(20, TimeUnit.SECONDS)).containsExactly(0L, 1L, 2L, 3L, 4L);
        });
        wsOnly("streams.writeToSlowSubscriber", peer -> {
            Recorder recorder = new Recorder(5, null);
            await(peer.connect().call("writeTo", recorder, 20));
            assertThat(recorder.done.get(20, TimeUnit.SECONDS))
                    .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> (Object) (long) i).collect(Collectors.toList()));
        });
        wsOnly("streams.writeToFailingWrite", peer -> {
            RpcStub api = peer.connect();
            RpcException err = rejection(api.call("writeTo", new Recorder(0, 2L), 5));
            assertThat(err.type()).isEqualTo("TypeError");
            assertThat(err.getMessage()).isEqualTo("cannot take 2");
            assertThat(await(api.call("square", 5))).isEqualTo(25L);
        });
        wsOnly("streams.echoRequest", peer -> {
            RpcRequest request = RpcRequest.of("POST", "https://example.com/path?q=1")
                    .withHeaders(RpcHeaders.of("x-test", "yes", "content-type", "text/plain"))
                    .withBody("hello body");
            RpcResponse response = (RpcResponse) await(peer.connect().call("echoRequest", request));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().get("content-type")).contains("application/json");
            assertThat(response.text().toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo(
                    "{\"method\":\"POST\",\"url\":\"https://example.com/path?q=1\",\"headers\":[[\"content-type\","
                            + "\"text/plain\"],[\"x-test\",\"yes\"]],\"body\":\"hello body\"}");
        });
        wsOnly("streams.echoRequestWithStreamedBody", peer -> {
            RpcRequest request = RpcRequest.of("PUT", "https://example.com/upload")
                    .withBody(RpcStreams.publisherOf("part one, ".getBytes(StandardCharsets.UTF_8),
                            "part two".getBytes(StandardCharsets.UTF_8)));
            RpcResponse response = (RpcResponse) await(peer.connect().call("echoRequest", request));
            assertThat(response.text().toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo(
                    "{\"method\":\"PUT\",\"url\":\"https://example.com/upload\",\"headers\":[],"
                            + "\"body\":\"part one, part two\"}");
        });
        wsOnly("streams.echoRequestWithoutBody", peer -> {
            RpcResponse response = (RpcResponse) await(peer.connect().call("echoRequest",
                    RpcRequest.of("GET", "https://example.com/")));
            assertThat(response.text().toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo(
                    "{\"method\":\"GET\",\"url\":\"https://example.com/\",\"headers\":[],\"body\":\"\"}");
        });
    }

    @TestFactory
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    List<DynamicNode> javaClientAgainstReferenceServer() {
        List<DynamicNode> transports = new ArrayList<>();
        for (String transport : TRANSPORTS) {
            List<DynamicNode> endpoints = new ArrayList<>();
            for (boolean webSocket : new boolean[] {true, false}) {
                List<DynamicNode> tests = CASES.stream()
                        .filter(c -> webSocket || c.httpToo())
                        .map(c -> DynamicTest.dynamicTest(c.name(), () -> Assertions.assertTimeoutPreemptively(
                                Duration.ofSeconds(90), () -> {
                                    try (Peer peer = new Peer(transport, webSocket)) {
                                        c.body().run(peer);
                                    } catch (AssertionError | Exception e) {
                                        throw new AssertionError("[" + transport + (webSocket ? " ws " : " http ")
                                                + c.name() + "] " + e, e);
                                    }
                                })))
                        .collect(Collectors.toList());
                endpoints.add(DynamicContainer.dynamicContainer(transport + (webSocket ? " ws" : " http"), tests));
            }
            transports.add(DynamicContainer.dynamicContainer(transport, endpoints));
        }
        return transports;
    }
}
