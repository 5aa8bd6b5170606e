package capnweb.api.spi;

import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A server's factory of main objects, for transports: one call per WebSocket session or batch,
 * made before the upgrade is answered or the batch runs. The request is described only for a
 * factory that reads it, so that a plain factory costs a transport nothing per request.
 * Thread-safe if the application's factory is.
 */
public final class MainFactory {
    private static final System.Logger LOG = System.getLogger(MainFactory.class.getName());
    /** The answer to a factory that failed: its own message may say more than a client should read. */
    static final String FAILED = "The server could not start a Cap'n Web session.";

    private final Function<? super SessionRequest, ?> factory;
    private final boolean readsRequest;

    private MainFactory(Function<? super SessionRequest, ?> factory, boolean readsRequest) {
        this.factory = factory;
        this.readsRequest = readsRequest;
    }

    /**
     * @param factory makes each main object without looking at the request
     * @return the factory
     */
    public static MainFactory of(Supplier<?> factory) {
        Objects.requireNonNull(factory, "mainFactory");
        return new MainFactory(request -> factory.get(), false);
    }

    /**
     * @param factory makes each main object from the request that opens the session
     * @return the factory
     */
    public static MainFactory ofRequest(Function<? super SessionRequest, ?> factory) {
        return new MainFactory(Objects.requireNonNull(factory, "mainFactory"), true);
    }

    /** @return whether the factory reads the request, so that a transport must describe it */
    public boolean readsRequest() {
        return readsRequest;
    }

    /**
     * Makes one session's main object.
     *
     * @param request describes the request; called only if the factory {@link #readsRequest()}
     * @return the main object
     * @throws SessionRefusedException when the application refuses the session
     * @throws IllegalStateException when the factory returns null
     */
    public Object newMain(Supplier<SessionRequest> request) {
        Object main = factory.apply(readsRequest ? request.get() : null);
        if (main == null) {
            throw new IllegalStateException("The main object factory returned null; "
                    + "return an RpcTarget or RpcFunction for each session.");
        }
        return main;
    }

    /**
     * Closes a main object that no session took (its connection closed before the session
     * could start), if it is {@link AutoCloseable}, as its session would have.
     *
     * @param main what {@link #newMain} made
     */
    public static void discard(Object main) {
        if (main instanceof AutoCloseable) {
            try {
                ((AutoCloseable) main).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "A main object no session took failed to close", e);
            }
        }
    }

    /**
     * What to answer a request whose main object could not be made: the application's own
     * refusal, or else 500 with a sentence that gives nothing away (the failure is logged).
     *
     * @param failure what {@link #newMain} threw, possibly wrapped in a {@link CompletionException}
     * @return the refusal to answer with
     */
    public static SessionRefusedException refusal(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof SessionRefusedException) {
            return (SessionRefusedException) cause;
        }
        LOG.log(System.Logger.Level.WARNING, "A Cap'n Web main object factory failed; the session was refused "
                + "with 500.", cause);
        return new SessionRefusedException(500, FAILED);
    }
}
