package capnweb.api;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.KeyManagerFactory;

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
     * Serves new connections with another private key and certificate chain, such as a renewed
     * certificate, without a restart: for example {@code server.updateTlsKeys(Pem.keys(chain,
     * key))} when the files change. Connections already open, and their sessions, keep the key
     * they were made with; the client trust of mutual TLS stays as it was.
     *
     * @param keys the server's new key managers
     * @return a stage that completes once new connections get the new key, or exceptionally
     *     with why they could not (an {@link IllegalStateException} once the server is closed)
     * @throws IllegalStateException if the server does not serve TLS ({@code ServerOptions.tls})
     * @throws UnsupportedOperationException if the transport cannot change its keys
     */
    default CompletionStage<Void> updateTlsKeys(KeyManagerFactory keys) {
        throw new UnsupportedOperationException("The " + transport() + " transport cannot change its TLS keys;"
                + " restart the server with the new ServerOptions.tls instead.");
    }

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
