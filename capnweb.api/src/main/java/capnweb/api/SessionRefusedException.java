package capnweb.api;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Thrown by a server's main object factory to refuse a session: the WebSocket upgrade or the
 * batch is answered with {@link #status()} and this exception's message as a plain-text body, and
 * no session starts. A WebSocket that was already upgraded before the factory ran (a Vert.x
 * {@code webSocketHandler()}) is closed with code 1008 and the message instead.
 *
 * <p>The message goes to the client: say what is wrong and what to do about it, and nothing
 * the client should not learn. It records no stack trace, since refusing is not a fault.
 */
public final class SessionRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, String> headers;

    /**
     * @param status the HTTP status to answer with, from 400 to 599: for example 403 (not
     *     allowed) or 429 (too many sessions for this client); a 401 needs a
     *     {@code WWW-Authenticate} header, so use the other constructor for it
     * @param message the answer's body, a sentence for the client
     */
    public SessionRefusedException(int status, String message) {
        this(status, message, Map.of());
    }

    /**
     * @param status the HTTP status to answer with, from 400 to 599
     * @param message the answer's body, a sentence for the client
     * @param headers headers of the answer, e.g. {@code WWW-Authenticate: Bearer} with a 401 or
     *     {@code Retry-After} with a 429 or 503
     */
    public SessionRefusedException(int status, String message, Map<String, String> headers) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("A refusal's status must be an HTTP error status from 400 to 599, got "
                    + status + ".");
        }
        this.headers = Map.copyOf(headers);
        // HTTP requires the challenge, and clients such as Jetty's reject a 401 without one.
        if (status == 401 && this.headers.keySet().stream()
                .noneMatch(h -> h.toLowerCase(Locale.ROOT).equals("www-authenticate"))) {
            throw new IllegalArgumentException("A 401 refusal needs a WWW-Authenticate header saying how to "
                    + "authenticate, e.g. Map.of(\"WWW-Authenticate\", \"Bearer\"); or refuse with 403.");
        }
        this.status = status;
    }

    /** @return the HTTP status the refusal is answered with */
    public int status() {
        return status;
    }

    /** @return the headers the refusal is answered with, besides the content type */
    public Map<String, String> headers() {
        return headers;
    }
}
