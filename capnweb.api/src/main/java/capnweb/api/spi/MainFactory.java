package capnweb.api.spi;

import capnweb.api.SessionOptions;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A server's factory of main objects, for transports: one call per WebSocket session or batch,
 * made before the upgrade is answered or the batch runs. The request is described only for a
 * factory that reads it, so that a plain factory costs a transport nothing per request.
 * An {@linkplain #isAsync() asynchronous} factory answers with a stage: a transport calls it with
 * {@link #newMainAsync} on the thread that read the request and goes on when the stage completes;
 * any other factory is called with {@link #newMain} where the session's code may run.
 * Thread-safe if the application's factory is.
 */
public final class MainFactory {
    private static final System.Logger LOG = System.getLogger(MainFactory.class.getName());
    /** The answer to a factory that failed: its own message may say more than a client should read. */
    static final String FAILED = "The server could not start a Cap'n Web session.";
    /** The answer to a session whose asynchronous factory took too long. */
    static final String TIMED_OUT = "The server could not start a Cap'n Web session in time; try again later.";

    private final Function<? super SessionRequest, ?> factory;
    private final boolean readsRequest;
    private final boolean async;
    /** How long an asynchronous factory's stage may take; null for as long as it takes. */
    private final Duration timeout;
    private final OccasionalWarning timedOut;

    private MainFactory(Function<? super SessionRequest, ?> factory, boolean readsRequest, boolean async,
            Duration timeout) {
        this.factory = factory;
        this.readsRequest = readsRequest;
        this.async = async;
        this.timeout = timeout;
        this.timedOut = timeout == null ? null : new OccasionalWarning(LOG, count -> "Refused " + count
                + " Cap'n Web session" + (count == 1 ? "" : "s") + " with 503 since the last such warning: the "
                + "asynchronous main object factory's stage did not complete within " + timeout.toMillis()
                + " ms (ServerOptions.factoryTimeout). Complete or fail it sooner, or raise the timeout.");
    }

    private MainFactory(Function<? super SessionRequest, ?> factory, boolean readsRequest, boolean async) {
        this(factory, readsRequest, async, null);
    }

    /**
     * @param factory makes each main object without looking at the request
     * @return the factory
     */
    public static MainFactory of(Supplier<?> factory) {
        Objects.requireNonNull(factory, "mainFactory");
        return new MainFactory(request -> factory.get(), false, false);
    }

    /**
     * @param factory makes each main object from the request that opens the session
     * @return the factory
     */
    public static MainFactory ofRequest(Function<? super SessionRequest, ?> factory) {
        return new MainFactory(Objects.requireNonNull(factory, "mainFactory"), true, false);
    }

    /**
     * @param factory starts making each main object from the request that opens the session, and
     *     returns at once with a stage of it
     * @return the factory
     */
    public static MainFactory ofRequestAsync(Function<? super SessionRequest, ? extends CompletionStage<?>> factory) {
        return new MainFactory(Objects.requireNonNull(factory, "mainFactory"), true, true);
    }

    /**
     * This factory with a bound on how long an asynchronous factory's stage may take: past it, the
     * session is refused with 503, and a main object the stage makes later is closed if it is
     * {@link AutoCloseable}. The bound replaces any the factory had, so a transport may apply the
     * options' bound to a factory that {@code ServerOptions} already bounded. A factory that is not
     * asynchronous is returned as it is.
     *
     * @param timeout the bound, positive
     * @return the bounded factory
     */
    public MainFactory withTimeout(Duration timeout) {
        return async ? new MainFactory(factory, readsRequest, true, checkedTimeout(timeout)) : this;
    }

    /**
     * Checks a bound for {@link #withTimeout}, for builders that take one.
     *
     * @param timeout the bound
     * @return the bound, if positive
     * @throws IllegalArgumentException if it is zero or negative
     */
    public static Duration checkedTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("factoryTimeout must be positive, got " + timeout);
        }
        return timeout;
    }

    /** @return whether the factory reads the request, so that a transport must describe it */
    public boolean readsRequest() {
        return readsRequest;
    }

    /**
     * Whether a transport must describe the request of each session it starts with this factory:
     * the factory reads it, or an interceptor of either kind may (through
     * {@link capnweb.api.RpcSession#request()}). Describing costs every HTTP batch some time.
     *
     * @param sessions the options of the sessions started
     * @return whether each session's request must be described
     */
    public boolean describesRequests(SessionOptions sessions) {
        return readsRequest || !sessions.interceptors().isEmpty() || !sessions.outgoingInterceptors().isEmpty();
    }

    /** @return whether the factory answers with a stage, so that a transport must call {@link #newMainAsync} */
    public boolean isAsync() {
        return async;
    }

    /**
     * Makes one session's main object.
     *
     * @param request describes the request; called only if the factory {@link #readsRequest()}
     * @return the main object
     * @throws SessionRefusedException when the application refuses the session
     * @throws IllegalStateException when the factory returns null, or is {@linkplain #isAsync() asynchronous}
     */
    public Object newMain(Supplier<SessionRequest> request) {
        if (async) {
            throw new IllegalStateException("This main object factory is asynchronous; call newMainAsync.");
        }
        return checked(factory.apply(readsRequest ? request.get() : null));
    }

    /**
     * Makes one session's main object, asynchronously for an {@linkplain #isAsync() asynchronous}
     * factory and at once for any other.
     *
     * @param request describes the request; called only if the factory {@link #readsRequest()}
     * @return a future of the main object; it fails as {@link #newMain} throws, and never throws itself
     */
    public CompletableFuture<Object> newMainAsync(Supplier<SessionRequest> request) {
        CompletableFuture<Object> main = new CompletableFuture<>();
        try {
            Object made = factory.apply(readsRequest ? request.get() : null);
            if (!async) {
                main.complete(checked(made));
            } else if (made == null) {
                throw new IllegalStateException("The asynchronous main object factory returned null instead of "
                        + "a stage; return a CompletionStage of an RpcTarget or RpcFunction for each session.");
            } else {
                Future<?> timer = timeout == null ? null : Timer.INSTANCE.schedule(() -> {
                    if (main.completeExceptionally(new SessionRefusedException(503, TIMED_OUT))) {
                        timedOut.happened();
                    }
                }, timeout.toNanos(), TimeUnit.NANOSECONDS);
                ((CompletionStage<?>) made).whenComplete((value, failure) -> {
                    if (timer != null) {
                        timer.cancel(false);
                    }
                    if (failure != null) {
                        main.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else if (value == null) {
                        main.completeExceptionally(new IllegalStateException("The asynchronous main object factory's "
                                + "stage completed with null; complete it with an RpcTarget or RpcFunction."));
                    } else if (!main.complete(value)) {
                        discard(value); // made after the session was refused
                    }
                });
            }
        } catch (RuntimeException e) {
            main.completeExceptionally(e);
        }
        return main;
    }

    private static Object checked(Object main) {
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

    /** Times asynchronous factories' stages: one daemon thread, which only completes futures. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor INSTANCE = make();

        private static ScheduledThreadPoolExecutor make() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "capnweb-factory-timeout");
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true); // most stages complete in time
            return timer;
        }
    }
}
