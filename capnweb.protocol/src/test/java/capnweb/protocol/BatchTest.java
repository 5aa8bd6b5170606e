package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.HttpBatchPoster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BatchTest {
    private final CapnWebEngine engine = new CapnWebEngine();

    private String serve(String body, Object main) throws Exception {
        return engine.serveBatch(body, main, SessionOptions.defaults()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** A poster that serves each batch in-process with a fresh TestTarget, recording the bodies. */
    private final List<String> posted = new CopyOnWriteArrayList<>();
    private final List<String> responses = new CopyOnWriteArrayList<>();
    private final HttpBatchPoster inProcess = body -> {
        posted.add(body);
        return engine.serveBatch(body, new TestTargets.TestTarget(), SessionOptions.defaults())
                .thenApply(r -> {
                    responses.add(r);
                    return r;
                });
    };

    @Test
    void serverAnswersAPushAndPull() throws Exception {
        assertThat(serve("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]\n[\"pull\",1]", new TestTargets.TestTarget()))
                .isEqualTo("[\"resolve\",1,9]");
    }

    @Test
    void emptyBodyMeansNoMessages() throws Exception {
        assertThat(serve("", new TestTargets.TestTarget())).isEmpty();
    }

    @Test
    void serverAnswersSeveralCallsAndPipelines() throws Exception {
        String body = String.join("\n",
                "[\"push\",[\"pipeline\",0,[\"makeCounter\"],[4]]]",
                "[\"push\",[\"pipeline\",1,[\"increment\"],[2]]]",
                "[\"pull\",2]",
                "[\"push\",[\"pipeline\",0,[\"throwError\"],[]]]",
                "[\"pull\",3]");
        assertThat(serve(body, new TestTargets.TestTarget())).isEqualTo(
                "[\"resolve\",2,6]\n[\"reject\",3,[\"error\",\"RangeError\",\"test error\"]]");
    }

    @Test
    void badInputIsAnsweredWithAnAbort() throws Exception {
        assertThat(serve("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]\nnot json", new TestTargets.TestTarget()))
                .startsWith("[\"abort\",[\"error\",\"SyntaxError\",");
    }

    @Test
    void batchSessionReleasesItsTargetsAfterResponding() throws Exception {
        DispatchTest.Target main = new DispatchTest.Target();
        serve("[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]", main);
        assertThat(main.closed).isTrue();
    }

    @Test
    void callsIssuedTogetherShareOneRequest() throws Exception {
        RpcSession session = engine.newBatchClient(inProcess, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub main = session.main();
        RpcPromise a = main.call("square", 3);
        RpcPromise b = main.call("square", 4);
        CompletableFuture<Object> fa = a.toCompletableFuture();
        CompletableFuture<Object> fb = b.toCompletableFuture();
        assertThat(fa.get(5, TimeUnit.SECONDS)).isEqualTo(9L);
        assertThat(fb.get(5, TimeUnit.SECONDS)).isEqualTo(16L);
        assertThat(posted).hasSize(1);
        assertThat(posted.get(0)).isEqualTo(String.join("\n",
                "[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]",
                "[\"pull\",1]",
                "[\"pull\",2]"));
    }

    @Test
    void callbacksRegisteredOverLongerThanTheQuietPeriodStillShareOneRequest() throws Exception {
        // Each callback comes within the quiet period of the one before, though all of them take
        // longer than it: a fixed delay would send the batch in the middle and lose the rest.
        RpcSession session = BatchClient.open(inProcess, Undefined.INSTANCE, SessionOptions.defaults(), 300);
        RpcStub main = session.main();
        List<CompletableFuture<Object>> results = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            results.add(main.call("square", i).toCompletableFuture());
            Thread.sleep(100);
        }
        for (int i = 1; i <= 4; i++) {
            assertThat(results.get(i - 1).get(5, TimeUnit.SECONDS)).isEqualTo((long) i * i);
        }
        assertThat(posted).hasSize(1);
    }

    @Test
    void sendBatchSendsWithoutWaitingForTheQuietPeriod() throws Exception {
        // A quiet period longer than the test's wait: only sendBatch() can get these answers in time.
        RpcSession session = BatchClient.open(inProcess, Undefined.INSTANCE, SessionOptions.defaults(), 60_000);
        RpcStub main = session.main();
        RpcPromise square = main.call("square", 3);
        RpcPromise cube = main.call("square", 4);
        CompletableFuture<List<Object>> both = session.whenAll(square, cube);
        session.sendBatch();
        assertThat(both.get(5, TimeUnit.SECONDS)).containsExactly(9L, 16L);
        assertThat(posted).hasSize(1);
        // The batch has gone: a later call is not sent, and sending again does nothing.
        RpcPromise late = main.call("square", 5);
        session.sendBatch();
        assertThat(late.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().withMessage("Batch RPC request ended.");
        assertThat(posted).hasSize(1);
    }

    @Test
    void manyClientsWhoseQuietPeriodsEndTogetherEachSendTheirBatchOnce() throws Exception {
        // Their quiet-period checks share timer ticks; every client must still be sent exactly
        // once, whether the tick sends it or sendBatch() did first (every other client).
        int clients = 200;
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<CompletableFuture<Object>>> issued = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                issued.add(CompletableFuture.supplyAsync(() -> {
                    RpcSession session = BatchClient.open(inProcess, Undefined.INSTANCE, SessionOptions.defaults(), 1);
                    CompletableFuture<Object> result = session.main().call("square", n).toCompletableFuture();
                    if (n % 2 == 0) {
                        session.sendBatch();
                    }
                    return result;
                }, threads));
            }
            for (int i = 0; i < clients; i++) {
                assertThat(issued.get(i).get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).isEqualTo((long) i * i);
            }
            assertThat(posted).hasSize(clients);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void applicationWorkOnTheSessionLongerThanTheQuietPeriodDoesNotCutTheBatch() throws Exception {
        // An application thread runs its calls on the idle session itself; on a cold JVM that can
        // take longer than the quiet period, which must not send the batch under it.
        BatchClient session = BatchClient.open(inProcess, Undefined.INSTANCE, SessionOptions.defaults(), 50);
        RpcStub main = session.main();
        CompletableFuture<Object> first = main.call("square", 3).toCompletableFuture();
        session.run(() -> {
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Object> second = main.call("square", 4).toCompletableFuture();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(9L);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(16L);
        assertThat(posted).hasSize(1);
    }

    @Test
    void whenAllAsksForEveryResultInTheSameBatchEvenWithNoQuietPeriod() throws Exception {
        // With no quiet period, asking for these one by one would let the batch go out after the
        // first few; whenAll asks for all of them in one step of the session.
        RpcSession session = BatchClient.open(inProcess, Undefined.INSTANCE, SessionOptions.defaults(), 0);
        RpcStub main = session.main();
        List<RpcPromise> squares = new java.util.ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            squares.add(main.call("square", i));
        }
        List<Object> results = session.whenAll(squares).get(5, TimeUnit.SECONDS);
        assertThat(results).hasSize(50);
        for (int i = 1; i <= 50; i++) {
            assertThat(results.get(i - 1)).isEqualTo((long) i * i);
        }
        assertThat(posted).hasSize(1);
    }

    @Test
    void whenAllFailsWithTheFailureOfAnyPromise() {
        RpcSession session = engine.newBatchClient(inProcess, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub main = session.main();
        CompletableFuture<List<Object>> all = session.whenAll(main.call("square", 2), main.call("throwError"));
        assertThat(all).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
                .isInstanceOf(RpcException.class).withMessageContaining("test error");
        assertThat(posted).hasSize(1);
    }

    @Test
    void quietApplicationSendsTheBatchWithoutAWait() throws Exception {
        RpcSession session = BatchClient.open(inProcess, Undefined.INSTANCE, SessionOptions.defaults(), 50);
        CompletableFuture<Object> nine = session.main().call("square", 3).toCompletableFuture();
        assertThat(nine.get(5, TimeUnit.SECONDS)).isEqualTo(9L);
        assertThat(posted).hasSize(1);
    }

    @Test
    void joinSendsAtOnceWithPipelinedCalls() {
        RpcSession session = engine.newBatchClient(inProcess, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub main = session.main();
        RpcPromise counter = main.call("makeCounter", 10);
        assertThat(counter.call("increment", 5).join()).isEqualTo(15L);
        assertThat(posted).hasSize(1);
    }

    @Test
    void sessionEndsAfterTheResponse() {
        RpcSession session = engine.newBatchClient(inProcess, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub main = session.main();
        RpcPromise notPulled = main.call("square", 2);
        assertThat(main.call("square", 5).join()).isEqualTo(25L);
        assertThat(session.closed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
        assertThatThrownBy(notPulled::join).isInstanceOf(RpcException.class).hasMessage("Batch RPC request ended.");
        assertThatThrownBy(() -> main.call("square", 1).join()).hasMessage("Batch RPC request ended.");
        assertThat(posted).hasSize(1);
    }

    @Test
    void serverCanCallBackIntoTheClientDuringTheBatch() {
        RpcSession session = engine.newBatchClient(inProcess, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub main = session.main();
        // The server calls the client's function; the client can only answer in a later request,
        // so the server refuses to wait instead of hanging the request.
        RpcPromise p = main.call("callFunction", TestTargets.squarer(), 3);
        assertThatThrownBy(p::join).isInstanceOf(RpcException.class)
                .hasMessageStartingWith("An HTTP batch server cannot wait for a result from the client");
        assertThat(responses.get(0)).contains("[\"push\",[\"pipeline\",-1,[],[3]]]");
    }

    @Test
    void closingSendsCallsThatWereNeverAwaited() throws Exception {
        List<Long> received = new CopyOnWriteArrayList<>();
        RpcTarget sink = new RpcTarget() {
            @SuppressWarnings("unused")
            public void record(long n) {
                received.add(n);
            }
        };
        HttpBatchPoster poster = body -> {
            posted.add(body);
            return engine.serveBatch(body, sink, SessionOptions.defaults());
        };
        RpcSession session = engine.newBatchClient(poster, Undefined.INSTANCE, SessionOptions.defaults());
        RpcStub main = session.main();
        main.call("record", 1);
        main.call("record", 2);
        session.close();
        assertThat(session.closed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
        assertThat(received).containsExactly(1L, 2L);
        assertThat(posted).hasSize(1);
    }

    @Test
    void closingWithNothingToSendPostsNothing() {
        RpcSession session = engine.newBatchClient(inProcess, Undefined.INSTANCE, SessionOptions.defaults());
        session.close();
        assertThat(session.closed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
        assertThat(posted).isEmpty();
    }

    @Test
    void failedRequestRejectsEveryPendingCall() {
        HttpBatchPoster failing = body -> CompletableFuture.failedFuture(
                RpcException.of("Error", "RPC request failed: 500 Internal Server Error"));
        RpcSession session = engine.newBatchClient(failing, Undefined.INSTANCE, SessionOptions.defaults());
        RpcPromise p = session.main().call("square", 2);
        assertThatThrownBy(p::join).hasMessage("RPC request failed: 500 Internal Server Error");
    }

    @Test
    void aPosterThatThrowsRejectsEveryPendingCallInsteadOfLeavingThemWaiting() {
        HttpBatchPoster throwing = body -> {
            throw new IllegalArgumentException("The header X-Test cannot be sent.");
        };
        RpcSession session = engine.newBatchClient(throwing, Undefined.INSTANCE, SessionOptions.defaults());
        RpcPromise first = session.main().call("square", 2);
        RpcPromise second = session.main().call("square", 3);
        assertThat(first.toCompletableFuture()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withMessageContaining("The header X-Test cannot be sent.");
        assertThat(second.toCompletableFuture()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withMessageContaining("The header X-Test cannot be sent.");
        assertThat(session.closed().toCompletableFuture()).as("the session ended with the failure")
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withMessageContaining("The header X-Test cannot be sent.");
    }

    @Test
    void batchServerTargetsRunPerRequest() throws Exception {
        RpcTarget counting = new RpcTarget() {
            int calls;

            @SuppressWarnings("unused")
            public int next() {
                return ++calls;
            }
        };
        String twoCalls = "[\"push\",[\"pipeline\",0,[\"next\"],[]]]\n[\"push\",[\"pipeline\",0,[\"next\"],[]]]\n[\"pull\",2]";
        assertThat(serve(twoCalls, counting)).isEqualTo("[\"resolve\",2,2]");
    }

    /** Keeps the stub it is given, to call after its batch ended. */
    public static final class Keeper implements RpcTarget {
        volatile RpcStub kept;

        public void keep(RpcStub stub) {
            kept = stub.dup();
        }
    }

    @Test
    void aStubKeptPastItsBatchFailsWithTheEndOfTheBatchWhichCarriesNoStack() throws Exception {
        Keeper keeper = new Keeper();
        assertThat(serve("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-1]]]]\n[\"pull\",1]", keeper))
                .isEqualTo("[\"resolve\",1,[\"undefined\"]]");
        assertThatThrownBy(() -> keeper.kept.call("anything").join())
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.type()).isEqualTo("Error");
                    assertThat(e.getStackTrace()).isEmpty();
                })
                .hasMessage("Batch RPC request ended.");
    }
}
