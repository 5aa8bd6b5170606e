package capnweb.protocol;

import static capnweb.protocol.RawPeer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The end of a session: the transport lost, the peer aborting, the Java side closing or aborting.
 * Nothing may hang, every pending call rejects, onBroken callbacks run, every export is released.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireTransportLossTest {
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

    private CompletableFuture<Object> pendingCall() {
        CompletableFuture<Object> f = main.call("hang").toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]");
        peer.expect("[\"pull\",1]");
        return f;
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        assertThat(f).failsWithin(RawPeer.WAIT);
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void lostConnectionRejectsPendingCallsWithAConnectionLostError() {
        CompletableFuture<Object> f = pendingCall();
        peer.lose(new IOException("socket closed"));
        Throwable t = failureOf(f);
        assertThat(t).isInstanceOf(RpcException.class);
        assertThat(t.getMessage()).as("says the connection was lost").containsIgnoringCase("lost");
    }

    @Test
    void lostConnectionEndsTheSessionExceptionally() {
        peer.lose(new IOException("socket closed"));
        assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        eventually("the session is no longer open", () -> !conn.session().isOpen());
    }

    @Test
    void callsAfterTheLossFailAtOnceAndSendNothing() {
        peer.lose(new IOException("socket closed"));
        assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        CompletableFuture<Object> f = main.call("square", 2).toCompletableFuture();
        assertThat(f).failsWithin(RawPeer.WAIT);
        peer.expectNothing();
    }

    @Test
    void lostConnectionRunsOnBrokenCallbacksInRegistrationOrder() {
        // Reference test "onRpcBroken signals when the connection is lost": callbacks run in the
        // order they were registered, each with the loss.
        List<String> order = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        main.onBroken(e -> {
            order.add("main");
            errors.add(e);
        });
        CompletableFuture<Object> made = main.call("makeCounter", 0).toCompletableFuture();
        peer.expect("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[0]]]");
        peer.expect("[\"pull\",1]");
        peer.inject("[\"resolve\",1,[\"export\",-1]]");
        peer.expect("[\"release\",1,1]");
        RpcStub counter = (RpcStub) made.join();
        counter.onBroken(e -> order.add("counter"));
        RpcPromise hanging = main.call("hang");
        hanging.onBroken(e -> order.add("hanging"));
        peer.expect("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]");
        peer.lose(new IOException("test disconnect"));
        eventually("every callback ran", () -> order.size() == 3);
        assertThat(order).containsExactly("main", "counter", "hanging");
        assertThat(errors.get(0)).isNotNull();
    }

    @Test
    void onBrokenRegisteredAfterTheLossRunsAtOnce() {
        peer.lose(new IOException("socket closed"));
        assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        main.onBroken(errors::add);
        eventually("the late callback ran", () -> errors.size() == 1);
    }

    @Test
    void closedOnBrokenRegistrationDoesNotRun() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        main.onBroken(errors::add).close();
        peer.lose(new IOException("socket closed"));
        assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        peer.expectNothing();
        assertThat(errors).isEmpty();
    }

    @Test
    void lostConnectionReleasesWhatTheJavaServerExported() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[2]]]");
        eventually("both counters were made", () -> local.made.size() == 2);
        peer.lose(new IOException("socket closed"));
        eventually("the exported counter is closed", () -> local.made.get(0).closes.get() == 1);
        eventually("the unsent result's counter is closed", () -> local.made.get(1).closes.get() == 1);
    }

    @Test
    void lostConnectionReleasesTargetsTheJavaClientPassed() {
        WireTargets.Counter passed = new WireTargets.Counter(1);
        main.call("keep", passed);
        peer.expect("[\"push\",[\"pipeline\",0,[\"keep\"],[[\"export\",-1]]]]");
        peer.lose(new IOException("socket closed"));
        eventually("the passed counter is closed", () -> passed.closes.get() == 1);
    }

    @Test
    void resultOfACallInterruptedByTheLossIsNeverSent() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"slow\"],[]]]", "[\"pull\",1]");
        peer.lose(new IOException("socket closed"));
        assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        local.slow.complete("too late");
        peer.expectNothing();
    }

    @Test
    void peerAbortRejectsPendingCallsWithThePeersErrorAndSendsNothing() {
        // Reference exchange "peer abort".
        CompletableFuture<Object> f = pendingCall();
        List<Throwable> broken = new CopyOnWriteArrayList<>();
        main.onBroken(broken::add);
        peer.inject("[\"abort\",[\"error\",\"RangeError\",\"peer says bye\"]]");
        Throwable t = failureOf(f);
        assertThat(t).isInstanceOf(RpcException.class).hasMessage("peer says bye");
        assertThat(((RpcException) t).type()).isEqualTo("RangeError");
        eventually("onBroken ran", () -> broken.size() == 1);
        assertThat(broken.get(0)).hasMessage("peer says bye");
        peer.awaitEnded();
        peer.expectNothing();
    }

    @Test
    void peerAbortReleasesExports() {
        peer.inject("[\"push\",[\"pipeline\",0,[\"makeCounter\"],[1]]]", "[\"pull\",1]");
        peer.expect("[\"resolve\",1,[\"export\",-1]]");
        peer.inject("[\"abort\",[\"error\",\"Error\",\"bye\"]]");
        eventually("the exported counter is closed", () -> local.made.get(0).closes.get() == 1);
    }

    @Test
    void closeRejectsPendingCallsAndClosesTheTransport() {
        CompletableFuture<Object> f = pendingCall();
        conn.session().close();
        assertThat(failureOf(f)).isInstanceOf(RpcException.class);
        peer.awaitEnded();
        // a clean close sends no message (the reference has no clean-shutdown message)
        peer.expectNothing();
        assertThat(peer.isClosed()).as("closed, not aborted").isTrue();
        assertThat(conn.session().isOpen()).isFalse();
        assertThat(conn.session().closed()).succeedsWithin(RawPeer.WAIT);
        conn.session().close();
    }

    @Test
    void abortSendsTheReasonWithoutAStackThenAbortsTheTransport() {
        CompletableFuture<Object> f = pendingCall();
        conn.session().abort(RpcException.of("RangeError", "going away"));
        peer.expect("[\"abort\",[\"error\",\"RangeError\",\"going away\"]]");
        peer.awaitAborted();
        Throwable t = failureOf(f);
        assertThat(t).isInstanceOf(RpcException.class).hasMessage("going away");
        peer.expectNothing();
    }

    @Test
    void abortWithAPlainExceptionSendsItAsError() {
        conn.session().abort(new IllegalStateException("shutting down"));
        peer.expect("[\"abort\",[\"error\",\"Error\",\"shutting down\"]]");
        peer.awaitAborted();
    }

    @Test
    void transportLostWhileIdleEndsTheSessionAndReleasesTheMain() {
        peer.lose(new IOException("socket closed"));
        assertThat(conn.session().closed()).failsWithin(RawPeer.WAIT);
        peer.expectNothing();
        // closing the ended session again is harmless
        conn.session().close();
        assertThat(conn.session().isOpen()).isFalse();
    }
}
