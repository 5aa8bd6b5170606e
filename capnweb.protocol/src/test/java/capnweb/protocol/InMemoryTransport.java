package capnweb.protocol;

import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One end of an in-memory connection for engine tests: what one end sends, the other receives,
 * in order. Records every message sent, can hold back delivery, and can simulate a lost
 * connection.
 */
final class InMemoryTransport implements MessageTransport {
    private final String name;
    private InMemoryTransport partner;
    private MessageReceiver receiver;
    private final List<String> pending = new ArrayList<>();
    private boolean held;
    private boolean ended;
    final List<String> sent = new CopyOnWriteArrayList<>();
    volatile Throwable abortedWith;
    volatile boolean closedCleanly;

    private InMemoryTransport(String name) {
        this.name = name;
    }

    /** @return two connected ends: [0] is the client's, [1] the server's */
    static InMemoryTransport[] pair() {
        InMemoryTransport a = new InMemoryTransport("client");
        InMemoryTransport b = new InMemoryTransport("server");
        a.partner = b;
        b.partner = a;
        return new InMemoryTransport[] {a, b};
    }

    @Override
    public synchronized void start(MessageReceiver receiver) {
        this.receiver = receiver;
        deliverPending();
    }

    @Override
    public void send(String message) {
        if (ended) {
            return;
        }
        sent.add(message);
        partner.deliver(message);
    }

    /** Delivers a message to this end as if the partner had sent it. */
    synchronized void deliver(String message) {
        pending.add(message);
        deliverPending();
    }

    /** Holds back delivery to this end until {@link #release()}. */
    synchronized void hold() {
        held = true;
    }

    /** @return how many messages are held back */
    synchronized int heldCount() {
        return pending.size();
    }

    synchronized void release() {
        held = false;
        deliverPending();
    }

    private void deliverPending() {
        if (receiver == null || held) {
            return;
        }
        for (String m : pending) {
            receiver.onMessage(m);
        }
        pending.clear();
    }

    /** Simulates the connection dropping: both ends learn that it is gone. */
    void lose(Throwable cause) {
        notifyClosed(cause);
        partner.notifyClosed(cause);
    }

    private synchronized void notifyClosed(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        if (receiver != null) {
            receiver.onClosed(cause);
        }
    }

    @Override
    public void close() {
        closedCleanly = true;
        end(new IllegalStateException("the " + name + " closed the connection"));
    }

    @Override
    public void abort(Throwable reason) {
        abortedWith = reason;
        end(reason);
    }

    private void end(Throwable reason) {
        if (ended) {
            return;
        }
        ended = true;
        partner.notifyClosed(reason);
    }

    @Override
    public String toString() {
        return "InMemoryTransport(" + name + ")";
    }
}
