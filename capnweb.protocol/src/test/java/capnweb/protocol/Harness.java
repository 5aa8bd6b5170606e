package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionStats;
import capnweb.api.Undefined;
import java.time.Duration;

/** A client and a server session over an in-memory pair. */
final class Harness implements AutoCloseable {
    final InMemoryTransport clientTransport;
    final InMemoryTransport serverTransport;
    final Session client;
    final Session server;
    final RpcStub main;

    Harness(Object serverMain) {
        this(serverMain, Undefined.INSTANCE, SessionOptions.defaults(), SessionOptions.defaults());
    }

    Harness(Object serverMain, Object clientMain, SessionOptions serverOptions, SessionOptions clientOptions) {
        InMemoryTransport[] pair = InMemoryTransport.pair();
        clientTransport = pair[0];
        serverTransport = pair[1];
        CapnWebEngine engine = new CapnWebEngine();
        server = (Session) engine.newSession(serverTransport, serverMain, serverOptions);
        client = (Session) engine.newSession(clientTransport, clientMain, clientOptions);
        main = client.main();
    }

    /** Waits until both sessions have handled everything in flight. */
    void settle() {
        for (int i = 0; i < 5; i++) {
            client.drain().toCompletableFuture().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
            server.drain().toCompletableFuture().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
            sync(client);
            sync(server);
        }
    }

    /** Waits until the session's executor has run everything queued so far. */
    static void sync(Session s) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        s.executor.execute(() -> done.complete(null));
        done.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** Waits (briefly polling) until both sessions are back to one import and one export. */
    void awaitBaseline() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            settle();
            if (client.stats().equals(new SessionStats(1, 1)) && server.stats().equals(new SessionStats(1, 1))) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits until every session of {@code harnesses} is back to its main import and export, and checks it. */
    static void assertAllAtBaseline(Harness... harnesses) {
        for (Harness h : harnesses) {
            h.awaitBaseline();
        }
        for (Harness h : harnesses) {
            assertThat(h.client.stats()).isEqualTo(new SessionStats(1, 1));
            assertThat(h.server.stats()).isEqualTo(new SessionStats(1, 1));
        }
    }

    @Override
    public void close() {
        main.close();
        client.close();
        server.close();
    }
}
