package capnweb.api;

import java.net.URI;
import java.time.Duration;

/**
 * A running Cap'n Web server: WebSocket and HTTP batch endpoints on one port and path.
 * Thread-safe.
 */
public interface RpcServer extends AutoCloseable {

    /** @return the port the server listens on (the chosen one when port 0 was asked for) */
    int port();

    /** @return the HTTP address of the endpoint, e.g. {@code http://127.0.0.1:8080/rpc} */
    URI uri();

    /** @return the name of the transport serving it, e.g. {@code "jetty"} */
    String transport();

    /** @return how many WebSocket sessions are open now */
    int openSessions();

    /**
     * Stops the server gracefully: stops accepting, closes every WebSocket session with a close
     * frame, lets every HTTP batch being served send its response, and waits up to 10 seconds for
     * all of that to finish.
     */
    @Override
    void close();

    /**
     * Stops the server like {@link #close()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait for open sessions to close and batches to be answered
     * @return whether everything closed within the timeout
     */
    boolean close(Duration timeout);
}
