package capnweb.transport.vertx;

import capnweb.api.spi.ServerLimit;
import io.vertx.core.http.HttpConnection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ServerOptions.maxConnections} for a server started by this transport. Vert.x cannot stop
 * accepting, so a connection beyond the limit is closed as it arrives. Thread-safe.
 */
final class ConnectionLimit {
    private final ServerLimit limit;
    private final Set<HttpConnection> counted = ConcurrentHashMap.newKeySet();

    ConnectionLimit(int max) {
        this.limit = ServerLimit.connections(max);
    }

    /** For {@code HttpServer.connectionHandler}: takes a place for a new connection, or closes it. */
    void opened(HttpConnection connection) {
        if (!limit.tryAcquire()) {
            connection.close();
            return;
        }
        counted.add(connection);
        connection.closeHandler(v -> closed(connection));
    }

    /**
     * Gives back a connection's place, once. Called when it closes, and when the WebSocket of an
     * upgraded one closes: Vert.x no longer reports the close of a connection once it is upgraded.
     */
    void closed(HttpConnection connection) {
        if (counted.remove(connection)) {
            limit.release();
        }
    }
}
