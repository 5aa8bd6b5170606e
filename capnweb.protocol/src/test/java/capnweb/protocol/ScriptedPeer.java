package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionOptions;
import capnweb.api.spi.MessageReceiver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer driven by the test with literal protocol messages, facing a real session: for checking
 * the exact messages the engine sends.
 */
final class ScriptedPeer implements AutoCloseable {
    final InMemoryTransport transport;
    final InMemoryTransport sessionTransport;
    final Session session;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    volatile Throwable closedWith;

    ScriptedPeer(Object main) {
        this(main, SessionOptions.defaults());
    }

    ScriptedPeer(Object main, SessionOptions options) {
        InMemoryTransport[] pair = InMemoryTransport.pair();
        transport = pair[0];
        sessionTransport = pair[1];
        session = (Session) new CapnWebEngine().newSession(sessionTransport, main, options);
        transport.start(new MessageReceiver() {
            @Override
            public void onMessage(String message) {
                received.add(message);
            }

            @Override
            public void onClosed(Throwable cause) {
                closedWith = cause;
            }
        });
    }

    ScriptedPeer send(String... messages) {
        for (String m : messages) {
            transport.send(m);
        }
        return this;
    }

    /** The next message the session sent, waiting up to 5 seconds. */
    String next() {
        try {
            String m = received.poll(5, TimeUnit.SECONDS);
            assertThat(m).as("a message from the session").isNotNull();
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    ScriptedPeer expect(String... messages) {
        for (String m : messages) {
            assertThat(next()).isEqualTo(m);
        }
        return this;
    }

    /** Everything the session sent until now (after letting it finish its queued work). */
    List<String> drainReceived() {
        Harness.sync(session);
        Harness.sync(session);
        List<String> out = new ArrayList<>();
        received.drainTo(out);
        return out;
    }

    /** Asserts that the session sends nothing more right now. */
    void expectQuiet() {
        assertThat(drainReceived()).isEmpty();
    }

    @Override
    public void close() {
        session.close();
    }
}
