package capnweb.transport.jetty;

import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * Tells whether Jetty has already read bytes beyond the frames it has delivered, so that the
 * answers to a burst of frames that arrived together can be written together.
 *
 * <p>Jetty parses every frame of one read and hands them over one after another on one thread,
 * but does not say when its read buffer is drained. This compares the bytes its connection has
 * read from the socket with the wire size of the frames delivered so far. Frames that came with
 * the upgrade request are not counted as read, and a frame Jetty splits is counted with a header
 * per part: the count then runs ahead, and catches up the next time it does. A peer that encodes
 * lengths in more bytes than needed makes it run behind instead, so that its answers always wait
 * for the deadline; that costs only that peer. A connection whose frames an extension rewrites
 * (permessage-deflate) cannot be counted, and gets no {@code ReadBurst}. Delivery thread only.
 */
final class ReadBurst {
    private final WebSocketConnection connection;
    private long delivered;

    private ReadBurst(WebSocketConnection connection) {
        this.connection = connection;
    }

    /** @return a counter for the session's connection, or null if its frames cannot be counted */
    static ReadBurst of(Session session) {
        if (!session.getUpgradeResponse().getExtensions().isEmpty()
                || !(session instanceof WebSocketSession ws)
                || !(ws.getCoreSession() instanceof WebSocketCoreSession core)
                || core.getConnection() == null) {
            return null;
        }
        return new ReadBurst(core.getConnection());
    }

    /** Counts a frame Jetty delivered, at its size on the wire (RFC 6455, section 5.2). */
    void delivered(Frame frame) {
        int length = frame.getPayloadLength();
        delivered += 2 + (length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8) + (frame.isMasked() ? 4 : 0) + length;
    }

    /** @return whether bytes already read from the socket have not been delivered as frames yet */
    boolean moreBuffered() {
        long read = connection.getBytesIn();
        if (delivered >= read) {
            delivered = read;
            return false;
        }
        return true;
    }
}
