package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ThreadingTest {

    @Test
    void targetMethodsRunOnTheConfiguredExecutor() {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-session-thread"));
        AtomicReference<String> thread = new AtomicReference<>();
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public long where() {
                thread.set(Thread.currentThread().getName());
                return 1;
            }
        };
        SessionOptions options = SessionOptions.builder().executor(pool).build();
        try (Harness h = new Harness(target, Undefined.INSTANCE, options, SessionOptions.defaults())) {
            h.main.call("where").join();
            assertThat(thread.get()).isEqualTo("my-session-thread");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void receivingNeverBlocksTheTransportThread() throws Exception {
        TestTargets.Gate slow = new TestTargets.Gate();
        try (ScriptedPeer peer = new ScriptedPeer(slow)) {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                peer.send("[\"push\",[\"pipeline\",0,[\"block\"],[]]]");
            }
            assertThat(slow.entered.await(5, TimeUnit.SECONDS)).isTrue();
            peer.send("[\"pull\",1]");
            // All of that was handed over while the target method was blocked.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            slow.release.countDown();
            peer.expect("[\"resolve\",1,1]");
        }
    }

    @Test
    void failingTransportSendEndsTheSession() {
        MessageTransport broken = new MessageTransport() {
            @Override
            public void start(MessageReceiver receiver) {
            }

            @Override
            public void send(String message) {
                throw new IllegalStateException("socket is gone");
            }

            @Override
            public void close() {
            }

            @Override
            public void abort(Throwable reason) {
            }
        };
        Session session = (Session) new CapnWebEngine().newSession(broken, Undefined.INSTANCE, SessionOptions.defaults());
        assertThatThrownBy(() -> session.main().call("x").join()).hasMessage("socket is gone");
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void executorThatRefusesWorkDoesNotThrowIntoTheTransport() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        SessionOptions options = SessionOptions.builder().executor(pool).build();
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget(), options)) {
            // Delivered on this thread, as a transport would: nothing may escape.
            peer.send("[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]");
            assertThat(peer.session.isOpen()).isTrue();
        }
    }

    @Test
    void manyClientThreadsShareOneSessionSafely() throws Exception {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                java.util.List<java.util.concurrent.Future<Object>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long n = i;
                    results.add(pool.submit(() -> h.main.call("square", n).join()));
                }
                for (int i = 0; i < 200; i++) {
                    assertThat(results.get(i).get(5, TimeUnit.SECONDS)).isEqualTo((long) i * i);
                }
            } finally {
                pool.shutdownNow();
            }
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new capnweb.api.SessionStats(1, 1));
        }
    }
}
