package capnweb.api;

import java.time.Duration;

/**
 * A wait for a result ran out of time. The call itself is not cancelled by this.
 */
public final class RpcTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private RpcTimeoutException(String message) {
        super(message);
    }

    /**
     * Makes the exception for a wait of {@code timeout}.
     *
     * @param what what was waited for, e.g. "the result of a call"
     * @param timeout how long the wait lasted
     * @return the exception
     */
    public static RpcTimeoutException after(String what, Duration timeout) {
        return new RpcTimeoutException("Timed out after " + timeout.toMillis() + " ms waiting for "
                + what + "; wait longer, or check that the peer is answering.");
    }
}
