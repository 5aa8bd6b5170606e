package capnweb.bench.jmh;

import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;

/**
 * One end of an in-memory transport pair: what one end sends, the other end's receiver gets at
 * once, on the sender's thread. No sockets and no copies, so the benchmarks measure the engine.
 */
final class MemoryTransport implements MessageTransport {
    private MemoryTransport peer;
    private volatile MessageReceiver receiver;
    private volatile boolean closed;

    private MemoryTransport() {
    }

    /** @return two connected ends */
    static MemoryTransport[] pair() {
        MemoryTransport a = new MemoryTransport();
        MemoryTransport b = new MemoryTransport();
        a.peer = b;
        b.peer = a;
        return new MemoryTransport[] {a, b};
    }

    @Override
    public void start(MessageReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public void send(String message) {
        MessageReceiver r = peer.receiver;
        if (!closed && r != null) {
            r.onMessage(message);
        }
    }

    @Override
    public void close() {
        end(new IllegalStateException("The peer closed the in-memory transport."));
    }

    @Override
    public void abort(Throwable reason) {
        end(reason);
    }

    private void end(Throwable reason) {
        if (closed) {
            return;
        }
        closed = true;
        peer.closed = true;
        MessageReceiver r = peer.receiver;
        if (r != null) {
            r.onClosed(reason);
        }
    }
}
