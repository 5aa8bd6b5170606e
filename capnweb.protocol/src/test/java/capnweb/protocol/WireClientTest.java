package capnweb.protocol;

import static capnweb.protocol.RawPeer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java side as the client, calling the scripted peer's main object. The expected frames are
 * what a reference client (capnweb 0.12.0) sends for the same calls.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireClientTest {
    private WireTargets.Main local;
    private RawPeer.Connected conn;
    private RawPeer peer;
    private RpcStub main;

    @BeforeEach
    void start() {
        local = new WireTargets.Main();
        conn = RawPeer.connect(local);
        peer = conn.peer();
        main = conn.session().main();
    }

    @AfterEach
    void stop() {
        conn.close();
    }

    private void assertBaseline() {
        eventually("tables back to baseline (" + conn.session().stats() + ")",
                () -> conn.session().stats().equals(new SessionStats(1, 1)));
    }

    @Test
    void callSendsPushAwaitingSendsPullAndTheResolveIsReleased() {
        // Reference exchange "call".
        RpcPromise p = main.call("square", 3);
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
        peer.expectNothing();
        CompletableFuture<Object> f = p.toCompletableFuture();
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,9]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(9L);
        peer.expect("[\"release\",1,1]");
        peer.expectNothing();
        assertBaseline();
    }

    @Test
    void pullIsSentOnceHoweverManyTimesTheResultIsAwaited() {
        RpcPromise p = main.call("square", 3);
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]");
        CompletableFuture<Object> a = p.toCompletableFuture();
        CompletableFuture<Object> b = p.thenApply(v -> v).toCompletableFuture();
        peer.expect("[\"pull\",1]");
        peer.expectNothing();
        peer.inject("[\"resolve\",1,9]");
        assertThat(a).succeedsWithin(RawPeer.WAIT).isEqualTo(9L);
        assertThat(b).succeedsWithin(RawPeer.WAIT).isEqualTo(9L);
        peer.expect("[\"release\",1,1]");
        peer.expectNothing();
    }

    @Test
    void successiveCallsTakeSuccessiveImportIds() {
        CompletableFuture<Object> a = main.call("square", 1).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[1]]]");
        peer.expect("[\"pull\",1]");
        CompletableFuture<Object> b = main.call("square", 2).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        peer.expect("[\"pull\",2]");
        peer.inject("[\"resolve\",2,4]", "[\"resolve\",1,1]");
        assertThat(b).succeedsWithin(RawPeer.WAIT).isEqualTo(4L);
        assertThat(a).succeedsWithin(RawPeer.WAIT).isEqualTo(1L);
        peer.expect("[\"release\",2,1]");
        peer.expect("[\"release\",1,1]");
    }

    @Test
    void closingAnUnpulledPromiseReleasesItWithoutAPull() {
        // Reference exchange "dispose promise unpulled".
        RpcPromise p = main.call("square", 2);
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        p.close();
        peer.expect("[\"release\",1,1]");
        p.close();
        peer.expectNothing();
        assertBaseline();
    }

    @Test
    void callOnAPromiseIsPipelinedOnItsImportId() {
        // Reference exchange "pipeline no pull".
        RpcPromise counter = main.call("makeCounter", 5);
        RpcPromise incremented = counter.call("increment", 2);
        peer.expect("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]");
        peer.expect("[\"push\",[\"pipeline\",1,[\"increment\"],[2]]]");
        CompletableFuture<Object> f = incremented.toCompletableFuture();
        peer.expect("[\"pull\",2]");
        peer.inject("[\"resolve\",2,7]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(7L);
        peer.expect("[\"release\",2,1]");
        counter.close();
        peer.expect("[\"release\",1,1]");
        peer.expectNothing();
        assertBaseline();
    }

    @Test
    void propertyPathIsSentAsOnePipelineWithThePath() {
        // Reference exchange "property get": stub.profile.name becomes one push with the path.
        RpcPromise name = main.get("profile").get("name");
        CompletableFuture<Object> f = name.toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"profile\",\"name\"]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,\"Ada\"]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo("Ada");
        peer.expect("[\"release\",1,1]");
    }

    @Test
    void indexIsSentAsANumberInThePath() {
        // protocol.md: path elements are strings or numbers, and the reference server indexes
        // arrays only by number (core.ts followPath: Number.isInteger(part)). A JS client sends
        // "1" because proxies see string keys; Java's get(int) can and must send the number.
        RpcPromise second = main.get("tags").get(1);
        CompletableFuture<Object> f = second.toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"tags\",1]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,\"y\"]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo("y");
    }

    @Test
    void callThroughAPropertyPathPutsThePathBeforeTheArguments() {
        CompletableFuture<Object> f = main.get("math").call("add", 1, 2).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"math\",\"add\"],[1,2]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,3]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(3L);
    }

    @Test
    void passedFunctionIsExportedAndThePeerCanCallIt() {
        // Reference exchange "pass function".
        RpcFunction square = args -> ((Number) args[0]).longValue() * ((Number) args[0]).longValue();
        CompletableFuture<Object> f = main.call("callFunction", square, 3).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\",-1],3]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"push\",[\"pipeline\",-1,[],[3]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,9]");
        peer.inject("[\"release\",1,1]", "[\"release\",-1,1]", "[\"resolve\",1,{\"result\":9}]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(Map.of("result", 9L));
        peer.expect("[\"release\",1,1]");
        peer.expectNothing();
        assertBaseline();
    }

    @Test
    void passedTargetIsExportedAndReleasingItClosesIt() {
        WireTargets.Counter counter = new WireTargets.Counter(3);
        main.call("keep", counter);
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-1]]]]");
        peer.inject("[\"push\",[\"pipeline\",-1,[\"increment\"],[4]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,7]");
        peer.inject("[\"release\",1,1]");
        assertThat(counter.closes.get()).isZero();
        peer.inject("[\"release\",-1,1]");
        eventually("the counter is closed", () -> counter.closes.get() == 1);
    }

    @Test
    void exportIdsCountDownFromMinusOne() {
        // Reference exchange "pass target twice": two different objects, two ids.
        main.call("keep", new WireTargets.Counter(1), (RpcFunction) args -> null);
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-1],[\"export\",-2]]]]");
        main.call("keep", new WireTargets.Counter(2));
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-3]]]]");
    }

    @Test
    void passedPromiseIsSentAsAPipelineReference() {
        // Reference exchange "pass promise": a promise of the peer's travels as ["pipeline", id].
        RpcPromise counter = main.call("makeCounter", 1);
        main.call("echo", counter);
        peer.expect("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]");
        peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"pipeline\",1]]]]");
    }

    @Test
    void passedStubOfThePeerIsSentAsAnImportReference() {
        RpcStub dup = main.dup();
        main.call("echo", dup);
        peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"import\",0]]]]");
    }

    @Test
    void localPromiseArgumentIsExportedAsPromiseAndResolvedWhenItCompletes() {
        CompletableFuture<Object> later = new CompletableFuture<>();
        main.call("echo", later);
        peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"promise\",-1]]]]");
        peer.expectNothing();
        later.complete("now");
        peer.expect("[\"resolve\",-1,\"now\"]");
        peer.inject("[\"release\",-1,1]");
        peer.expectNothing();
    }

    @Test
    void receivedExportIsCallableAndReleasedOnceWhenClosed() {
        // Reference exchange "receive export then dispose".
        CompletableFuture<Object> f = main.call("makeCounter", 1).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,[\"export\",-1]]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isInstanceOf(RpcStub.class);
        peer.expect("[\"release\",1,1]");
        RpcStub counter = (RpcStub) f.join();
        counter.call("increment", 2);
        peer.expect("[\"push\",[\"pipeline\",-1,[\"increment\"],[2]]]");
        counter.close();
        peer.expect("[\"release\",-1,1]");
        counter.close();
        peer.expectNothing();
    }

    @Test
    void dupOfAReceivedStubKeepsTheImportUntilBothAreClosed() {
        CompletableFuture<Object> f = main.call("makeCounter", 1).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,[\"export\",-1]]");
        peer.expect("[\"release\",1,1]");
        RpcStub counter = (RpcStub) f.join();
        RpcStub copy = counter.dup();
        counter.close();
        peer.expectNothing();
        copy.close();
        peer.expect("[\"release\",-1,1]");
    }

    @Test
    void exportReceivedTwiceIsReleasedOnceWithTheTotalRefcount() {
        // protocol.md: the refcount is the number of times the id was introduced. (The reference
        // importer sends 1 here, see WireRefcountTest; it never meets this case with a reference
        // exporter, which never reuses an id. Against an exporter that does reuse ids, only the
        // documented count frees the export.)
        CompletableFuture<Object> a = main.call("sameCounter").toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]");
        peer.expect("[\"pull\",1]");
        CompletableFuture<Object> b = main.call("sameCounter").toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"sameCounter\"],[]]]");
        peer.expect("[\"pull\",2]");
        peer.inject("[\"resolve\",1,[\"export\",-1]]", "[\"resolve\",2,[\"export\",-1]]");
        peer.expectUnordered("[\"release\",1,1]", "[\"release\",2,1]");
        ((RpcStub) a.join()).close();
        peer.expectNothing();
        ((RpcStub) b.join()).close();
        peer.expect("[\"release\",-1,2]");
        assertBaseline();
    }

    @Test
    void resolveOfAnAlreadyReleasedImportIsIgnored() {
        // Reference exchange "resolve main-level promise twice".
        CompletableFuture<Object> f = main.call("square", 2).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,4]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(4L);
        peer.expect("[\"release\",1,1]");
        peer.inject("[\"resolve\",1,5]");
        peer.expectNothing();
        assertThat(conn.session().isOpen()).isTrue();
    }

    @Test
    void promiseThePeerSendsInAResultIsAwaitedBeforeDelivery() {
        // The reference releases the call's import as soon as its resolve arrives, and the
        // promise's import when that resolves in turn (src/rpc.ts ImportTableEntry.resolve).
        CompletableFuture<Object> f = main.call("later").toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"later\"],[]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,{\"p\":[\"promise\",-1]}]");
        peer.expect("[\"release\",1,1]");
        peer.expectNothing();
        assertThat(f).isNotDone();
        peer.inject("[\"resolve\",-1,42]");
        peer.expect("[\"release\",-1,1]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(Map.of("p", 42L));
        assertBaseline();
    }

    @Test
    void undefinedArgumentIsSentAndTrailingOnesAreKept() {
        main.call("echo", Undefined.INSTANCE, Undefined.INSTANCE);
        peer.expect("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"undefined\"],[\"undefined\"]]]]");
    }

    @Test
    void onBrokenOfARejectedPromiseRunsWithItsError() {
        RpcPromise p = main.call("throwError");
        List<Throwable> broken = new CopyOnWriteArrayList<>();
        p.onBroken(broken::add);
        peer.expect("[\"push\",[\"pipeline\",0,[\"throwError\"],[]]]");
        CompletableFuture<Object> f = p.toCompletableFuture();
        peer.expect("[\"pull\",1]");
        peer.inject("[\"reject\",1,[\"error\",\"RangeError\",\"test error\"]]");
        assertThat(f).failsWithin(RawPeer.WAIT);
        eventually("onBroken ran", () -> broken.size() == 1);
        assertThat(broken.get(0)).hasMessage("test error");
    }

    @Test
    void callsOnAResolvedPromiseGoStraightToTheExportItResolvedTo() {
        // Reference client: once import 1 resolved to ["export",-1], calls and property reads on
        // the promise address -1 directly.
        RpcPromise p = main.call("makeCounter", 1);
        CompletableFuture<Object> f = p.toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,[\"export\",-1]]");
        assertThat(f).succeedsWithin(RawPeer.WAIT);
        peer.expect("[\"release\",1,1]");
        p.call("increment", 2).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",-1,[\"increment\"],[2]]]");
        peer.expect("[\"pull\",2]");
        p.get("value").toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",-1,[\"value\"]]]");
        peer.expect("[\"pull\",3]");
    }

    @Test
    void sameObjectPassedTwiceIsExportedTwice() {
        // Reference client: every occurrence of a function or target in the arguments is a new
        // export ([["export",-1],["export",-2]]), nested ones too.
        RpcFunction f = args -> args[0];
        main.call("keep", f, f);
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-1],[\"export\",-2]]]]");
        WireTargets.Counter c = new WireTargets.Counter(1);
        main.call("keep", c, List.of(c));
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-3],[[[\"export\",-4]]]]]]");
    }

    @Test
    void propertyOfAPendingPromiseAsArgumentIsSentAsAPipelineWithItsPath() {
        RpcPromise q = main.call("square", 2);
        main.call("keep", q.get("foo"));
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"pipeline\",1,[\"foo\"]]]]]");
    }

    @Test
    void closingAMainStubReleasesNothingAndMainStaysUsable() {
        // Import 0 is the peer's main. The reference never releases it (disposing its main stub
        // ends the session without a message); a ["release",0,1] would make a reference peer drop
        // its main export, and every later call on main would abort the session.
        RpcStub extra = conn.session().main();
        extra.close();
        peer.expectNothing();
        CompletableFuture<Object> f = conn.session().main().call("square", 2).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,4]");
        assertThat(f).succeedsWithin(RawPeer.WAIT).isEqualTo(4L);
    }

    @Test
    void joinWithATimeoutThrowsButTheCallGoesOnAndIsReleasedWhenItResolves() {
        RpcPromise p = main.call("square", 2);
        peer.expect("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.join(java.time.Duration.ofMillis(100)))
                .isInstanceOf(capnweb.api.RpcTimeoutException.class);
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,4]");
        peer.expect("[\"release\",1,1]");
        assertThat(p.toCompletableFuture()).succeedsWithin(RawPeer.WAIT).isEqualTo(4L);
    }

    @Test
    void concurrentCallsGetImportIdsInTheOrderTheirPushesAreSent() throws Exception {
        // The peer numbers pushes by their order on the wire; the Java side must number them the
        // same way however many application threads call at once.
        int threads = 8;
        int perThread = 25;
        java.util.concurrent.ConcurrentHashMap<Long, CompletableFuture<Object>> futures =
                new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 1000L;
                done.add(pool.submit(() -> {
                    go.await();
                    for (long i = 0; i < perThread; i++) {
                        futures.put(base + i, main.call("echo", base + i).toCompletableFuture());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> d : done) {
                d.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = threads * perThread;
        java.util.Map<Integer, Long> argumentOfId = new java.util.HashMap<>();
        java.util.Set<Integer> pulled = new java.util.HashSet<>();
        int pushes = 0;
        while (pushes < total || pulled.size() < total) {
            var frame = peer.next().getAsJsonArray();
            switch (frame.get(0).getAsString()) {
                case "push" -> {
                    pushes++;
                    var expr = frame.get(1).getAsJsonArray();
                    assertThat(expr.get(0).getAsString()).isEqualTo("pipeline");
                    argumentOfId.put(pushes, expr.get(3).getAsJsonArray().get(0).getAsLong());
                }
                case "pull" -> {
                    int id = frame.get(1).getAsInt();
                    assertThat(argumentOfId).as("pull of an id whose push was sent before").containsKey(id);
                    assertThat(pulled.add(id)).as("pulled once").isTrue();
                }
                default -> throw new AssertionError("unexpected frame " + frame);
            }
        }
        for (int id = 1; id <= total; id++) {
            peer.inject("[\"resolve\"," + id + "," + argumentOfId.get(id) + "]");
        }
        for (java.util.Map.Entry<Long, CompletableFuture<Object>> e : futures.entrySet()) {
            assertThat(e.getValue()).succeedsWithin(RawPeer.WAIT).isEqualTo(e.getKey());
        }
        assertThat(futures).hasSize(total);
    }
}
