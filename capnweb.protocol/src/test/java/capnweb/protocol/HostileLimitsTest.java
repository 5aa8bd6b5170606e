package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcPromise;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session bounds of {@link SessionOptions} beyond one message: table sizes, calls in flight
 * and bytes queued for a peer that does not read. Exceeding one aborts that session with a
 * message naming the limit and the builder method that raises it.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HostileLimitsTest {

    /** A main object whose calls finish only when the test says so. */
    public static final class Slow implements RpcTarget {
        final List<CompletableFuture<Object>> pending = new CopyOnWriteArrayList<>();

        public CompletionStage<Object> hang() {
            CompletableFuture<Object> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        public long add(long a, long b) {
            return a + b;
        }

        public String text(int length) {
            return "x".repeat(length);
        }

        public Object echo(Object value) {
            return value;
        }

        void finishAll() {
            pending.forEach(f -> f.complete("done"));
        }
    }

    private static String abortOf(ScriptedPeer peer) {
        String last = peer.next();
        while (!last.startsWith("[\"abort\"")) {
            last = peer.next();
        }
        return last;
    }

    private static void assertAbortedNaming(ScriptedPeer peer, String... fragments) {
        String abort = abortOf(peer);
        assertThat(abort).startsWith("[\"abort\",[\"error\",\"Error\",").contains(fragments)
                .contains("raise the limit");
        Harness.sync(peer.session);
        assertThat(peer.session.isOpen()).isFalse();
        assertThat(peer.sessionTransport.abortedWith).isNotNull();
    }

    @Test
    void peerPushingMoreCallsThanTheExportLimitIsAborted() {
        SessionOptions options = SessionOptions.builder().maxExports(5).build();
        try (ScriptedPeer peer = new ScriptedPeer(new Slow(), options)) {
            // Export 0 is the main object; four unreleased calls fill the table to five.
            for (int i = 0; i < 4; i++) {
                peer.send("[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]");
            }
            Harness.sync(peer.session);
            assertThat(peer.session.isOpen()).isTrue();
            assertThat(peer.session.stats().exports()).isEqualTo(5);
            peer.send("[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]");
            assertAbortedNaming(peer, "export table exceeded its limit of 5 entries", "maxExports(n)");
        }
    }

    @Test
    void releasedCallsMakeRoomInTheExportTable() {
        SessionOptions options = SessionOptions.builder().maxExports(3).build();
        try (ScriptedPeer peer = new ScriptedPeer(new Slow(), options)) {
            for (int i = 1; i <= 20; i++) {
                peer.send("[\"push\",[\"pipeline\",0,[\"add\"],[" + i + ",1]]]", "[\"pull\"," + i + "]");
                peer.expect("[\"resolve\"," + i + "," + (i + 1) + "]");
                peer.send("[\"release\"," + i + ",1]");
            }
            Harness.sync(peer.session);
            assertThat(peer.session.isOpen()).isTrue();
            assertThat(peer.session.stats().exports()).isEqualTo(1);
        }
    }

    @Test
    void peerPassingMoreObjectsThanTheImportLimitIsAborted() {
        SessionOptions options = SessionOptions.builder().maxImports(3).build();
        try (ScriptedPeer peer = new ScriptedPeer(new Slow(), options)) {
            // Import 0 is the peer's main object; one frame introduces three more.
            peer.send("[\"push\",[\"pipeline\",0,[\"echo\"],[{\"a\":[\"export\",-1],\"b\":[\"export\",-2],"
                    + "\"c\":[\"export\",-3]}]]]");
            assertAbortedNaming(peer, "import table exceeded its limit of 3 entries", "maxImports(n)");
        }
    }

    @Test
    void applicationCallsBeyondTheImportLimitFailAndAbortTheSession() {
        SessionOptions clientOptions = SessionOptions.builder().maxImports(3).build();
        Slow slow = new Slow();
        try (Harness h = new Harness(slow, capnweb.api.Undefined.INSTANCE, SessionOptions.defaults(), clientOptions)) {
            RpcPromise first = h.main.call("hang");
            RpcPromise second = h.main.call("hang");
            RpcPromise third = h.main.call("hang");
            assertThat(third.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat().withMessageContaining("maxImports(n)");
            assertThat(first.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat().withMessageContaining("import table exceeded");
            assertThat(second.toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
            assertThat(h.client.closed().toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void peerStartingMoreCallsThanAllowedInFlightIsAborted() {
        SessionOptions options = SessionOptions.builder().maxCallsInFlight(3).build();
        Slow slow = new Slow();
        try (ScriptedPeer peer = new ScriptedPeer(slow, options)) {
            for (int i = 0; i < 3; i++) {
                peer.send("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]");
            }
            Harness.sync(peer.session);
            assertThat(peer.session.isOpen()).isTrue();
            assertThat(peer.session.limits.callsInFlight()).isEqualTo(3);
            peer.send("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]");
            assertAbortedNaming(peer, "more than 3 calls in flight", "maxCallsInFlight(n)");
            assertThat(slow.pending).as("the refused call never started").hasSize(3);
        }
    }

    @Test
    void callsNestedInOneFrameCountAgainstTheLimitToo() {
        SessionOptions options = SessionOptions.builder().maxCallsInFlight(3).build();
        Slow slow = new Slow();
        try (ScriptedPeer peer = new ScriptedPeer(slow, options)) {
            StringBuilder nested = new StringBuilder("[\"pipeline\",0,[\"hang\"],[]]");
            for (int i = 0; i < 10; i++) {
                nested = new StringBuilder("[\"pipeline\",0,[\"echo\"],[").append(nested).append("]]");
            }
            peer.send("[\"push\"," + nested + "]");
            assertAbortedNaming(peer, "calls in flight", "maxCallsInFlight(n)");
        }
    }

    @Test
    void finishedCallsNoLongerCountAsInFlight() {
        SessionOptions options = SessionOptions.builder().maxCallsInFlight(3).build();
        Slow slow = new Slow();
        try (ScriptedPeer peer = new ScriptedPeer(slow, options)) {
            int id = 0;
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 3; i++) {
                    peer.send("[\"push\",[\"pipeline\",0,[\"hang\"],[]]]", "[\"pull\"," + (++id) + "]");
                }
                Harness.sync(peer.session);
                slow.finishAll();
                for (int i = 0; i < 3; i++) {
                    assertThat(peer.next()).startsWith("[\"resolve\",");
                }
                slow.pending.clear();
            }
            Harness.sync(peer.session);
            assertThat(peer.session.isOpen()).isTrue();
            assertThat(peer.session.limits.callsInFlight()).isZero();
        }
    }

    @Test
    void defaultsLetTwoThousandConcurrentCallsThrough() {
        Slow slow = new Slow();
        try (Harness h = new Harness(slow)) {
            List<CompletableFuture<Object>> results = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                results.add(h.main.call("hang").toCompletableFuture());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (slow.pending.size() < 2000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(slow.pending).hasSize(2000);
            slow.finishAll();
            for (CompletableFuture<Object> r : results) {
                assertThat(r).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("done");
            }
            assertThat(h.client.isOpen()).isTrue();
            assertThat(h.server.isOpen()).isTrue();
        }
    }

    /** A transport whose peer never reads: everything sent stays queued. */
    static final class NeverDrained implements MessageTransport {
        final AtomicLong queued = new AtomicLong();
        final List<String> sent = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> aborted = new AtomicReference<>();
        volatile MessageReceiver receiver;

        @Override
        public void start(MessageReceiver r) {
            receiver = r;
        }

        @Override
        public void send(String message) {
            sent.add(message);
            queued.addAndGet(message.length());
        }

        @Override
        public void close() {
        }

        @Override
        public void abort(Throwable reason) {
            aborted.set(reason);
        }

        @Override
        public long queuedBytes() {
            return queued.get();
        }
    }

    @Test
    void peerThatDoesNotReadIsAbortedOnceTheQueueExceedsTheLimit() {
        NeverDrained transport = new NeverDrained();
        SessionOptions options = SessionOptions.builder().maxQueuedBytes(10_000).build();
        Session session = (Session) new CapnWebEngine().newSession(transport, new Slow(), options);
        try {
            for (int i = 1; i <= 5; i++) {
                transport.receiver.onMessage("[\"push\",[\"pipeline\",0,[\"text\"],[3000]]]");
                transport.receiver.onMessage("[\"pull\"," + i + "]");
            }
            Harness.sync(session);
            Harness.sync(session);
            assertThat(session.isOpen()).isFalse();
            assertThat(transport.aborted.get()).hasMessageContaining("not reading")
                    .hasMessageContaining("limit of 10000 bytes").hasMessageContaining("maxQueuedBytes(n)");
            // Four results of 3000 characters pass 10,000 bytes; the fifth is never sent.
            long results = transport.sent.stream().filter(m -> m.startsWith("[\"resolve\"")).count();
            assertThat(results).isEqualTo(4);
            assertThat(transport.sent.get(transport.sent.size() - 1)).startsWith("[\"abort\"");
        } finally {
            session.close();
        }
    }
}
