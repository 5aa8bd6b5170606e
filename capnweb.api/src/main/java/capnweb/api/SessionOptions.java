package capnweb.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Settings of one session: the limits on what the peer may send, how errors are sent, where
 * target calls run and what runs around them, and the default wait for results. Immutable;
 * build with {@link #builder()}.
 */
public final class SessionOptions {
    /** The reference implementation's limit on one incoming message: 32 MiB of UTF-16 code units. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024;
    /** The reference implementation's limit on the nesting depth of one incoming message. */
    public static final int DEFAULT_MAX_DEPTH = 256;
    /** The reference implementation's limit on the digits of one incoming bigint. */
    public static final int DEFAULT_MAX_BIGINT_DIGITS = 16384;
    /** The default limit on the entries of a session's export table (what the peer may call). */
    public static final int DEFAULT_MAX_EXPORTS = 100_000;
    /** The default limit on the entries of a session's import table (what this side may call). */
    public static final int DEFAULT_MAX_IMPORTS = 100_000;
    /** The default limit on calls to local targets that have started and not yet finished. */
    public static final int DEFAULT_MAX_CALLS_IN_FLIGHT = 10_000;
    /** The default limit on bytes sent to the peer but not yet written to it: 64 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;

    private static final SessionOptions DEFAULTS = builder().build();

    private final int maxMessageSize;
    private final int maxDepth;
    private final int maxBigIntDigits;
    private final int maxExports;
    private final int maxImports;
    private final int maxCallsInFlight;
    private final long maxQueuedBytes;
    private final Function<Throwable, Optional<Throwable>> onSendError;
    private final Executor executor;
    private final boolean directExecutor;
    private final Duration defaultTimeout;
    private final boolean trackStubLeaks;
    private final List<CallInterceptor> interceptors;
    private final List<OutgoingCallInterceptor> outgoingInterceptors;

    private SessionOptions(Builder b) {
        this.maxMessageSize = b.maxMessageSize;
        this.maxDepth = b.maxDepth;
        this.maxBigIntDigits = b.maxBigIntDigits;
        this.maxExports = b.maxExports;
        this.maxImports = b.maxImports;
        this.maxCallsInFlight = b.maxCallsInFlight;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.onSendError = b.onSendError;
        this.executor = b.executor;
        this.directExecutor = b.directExecutor;
        this.defaultTimeout = b.defaultTimeout;
        this.trackStubLeaks = b.trackStubLeaks;
        this.interceptors = List.copyOf(b.interceptors);
        this.outgoingInterceptors = List.copyOf(b.outgoingInterceptors);
    }

    /** @return the options with every default */
    public static SessionOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMessageSize = maxMessageSize;
        b.maxDepth = maxDepth;
        b.maxBigIntDigits = maxBigIntDigits;
        b.maxExports = maxExports;
        b.maxImports = maxImports;
        b.maxCallsInFlight = maxCallsInFlight;
        b.maxQueuedBytes = maxQueuedBytes;
        b.onSendError = onSendError;
        b.executor = executor;
        b.directExecutor = directExecutor;
        b.defaultTimeout = defaultTimeout;
        b.trackStubLeaks = trackStubLeaks;
        b.interceptors.addAll(interceptors);
        b.outgoingInterceptors.addAll(outgoingInterceptors);
        return b;
    }

    /** @return the largest incoming message accepted, in UTF-16 code units */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** @return the deepest nesting of arrays and objects accepted in an incoming message */
    public int maxDepth() {
        return maxDepth;
    }

    /** @return the most digits accepted in an incoming bigint */
    public int maxBigIntDigits() {
        return maxBigIntDigits;
    }

    /** @return the most entries the export table may hold; see {@link Builder#maxExports} */
    public int maxExports() {
        return maxExports;
    }

    /** @return the most entries the import table may hold; see {@link Builder#maxImports} */
    public int maxImports() {
        return maxImports;
    }

    /** @return the most calls to local targets running at once; see {@link Builder#maxCallsInFlight} */
    public int maxCallsInFlight() {
        return maxCallsInFlight;
    }

    /** @return the most bytes queued for a peer that does not read; see {@link Builder#maxQueuedBytes} */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** @return the hook that sees every error before it is sent; see {@link Builder#onSendError} */
    public Function<Throwable, Optional<Throwable>> onSendError() {
        return onSendError;
    }

    /**
     * @return the executor target calls run on, if one was set (with {@link Builder#directExecutor()},
     *     one that runs each task on the calling thread); otherwise the engine's own
     */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /** @return whether the session runs with no hand-off at all; see {@link Builder#directExecutor()} */
    public boolean directExecutor() {
        return directExecutor;
    }

    /** @return how long {@link RpcPromise#join()} waits, if a default was set */
    public Optional<Duration> defaultTimeout() {
        return Optional.ofNullable(defaultTimeout);
    }

    /**
     * @return whether the session records where each stub was created and reports those never
     *     closed; see {@link Builder#trackStubLeaks(boolean)}
     */
    public boolean trackStubLeaks() {
        return trackStubLeaks;
    }

    /**
     * @return the interceptors every call to a local object passes through, outermost first; see
     *     {@link Builder#interceptor(CallInterceptor)}
     */
    public List<CallInterceptor> interceptors() {
        return interceptors;
    }

    /**
     * @return the interceptors every call made through this session's stubs passes through,
     *     outermost first; see {@link Builder#outgoingInterceptor(OutgoingCallInterceptor)}
     */
    public List<OutgoingCallInterceptor> outgoingInterceptors() {
        return outgoingInterceptors;
    }

    /** Builds {@link SessionOptions}. Not thread-safe. */
    public static final class Builder {
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private int maxBigIntDigits = DEFAULT_MAX_BIGINT_DIGITS;
        private int maxExports = DEFAULT_MAX_EXPORTS;
        private int maxImports = DEFAULT_MAX_IMPORTS;
        private int maxCallsInFlight = DEFAULT_MAX_CALLS_IN_FLIGHT;
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private Function<Throwable, Optional<Throwable>> onSendError = e -> Optional.empty();
        private Executor executor;
        private boolean directExecutor;
        private Duration defaultTimeout;
        private boolean trackStubLeaks;
        private final List<CallInterceptor> interceptors = new ArrayList<>();
        private final List<OutgoingCallInterceptor> outgoingInterceptors = new ArrayList<>();

        private Builder() {
        }

        /**
         * Sets the largest incoming message; a larger one aborts the session.
         *
         * @param codeUnits the limit in UTF-16 code units (characters of a Java string)
         * @return this builder
         */
        public Builder maxMessageSize(int codeUnits) {
            this.maxMessageSize = positive(codeUnits, "maxMessageSize");
            return this;
        }

        /**
         * Sets the deepest nesting of an incoming message; a deeper one aborts the session.
         *
         * @param depth the limit
         * @return this builder
         */
        public Builder maxDepth(int depth) {
            this.maxDepth = positive(depth, "maxDepth");
            return this;
        }

        /**
         * Sets the most digits of an incoming bigint; a longer one aborts the session.
         *
         * @param digits the limit
         * @return this builder
         */
        public Builder maxBigIntDigits(int digits) {
            this.maxBigIntDigits = positive(digits, "maxBigIntDigits");
            return this;
        }

        /**
         * Sets the most entries the export table may hold: objects and promises this side passed
         * to the peer, plus one per call the peer made and has not released. A session that
         * would exceed it is aborted, with a message naming this limit. Default
         * {@value SessionOptions#DEFAULT_MAX_EXPORTS}.
         *
         * @param entries the limit
         * @return this builder
         */
        public Builder maxExports(int entries) {
            this.maxExports = positive(entries, "maxExports");
            return this;
        }

        /**
         * Sets the most entries the import table may hold: objects and promises the peer passed
         * to this side, plus one per call this side made and has not released. A session that
         * would exceed it is aborted, with a message naming this limit. Default
         * {@value SessionOptions#DEFAULT_MAX_IMPORTS}.
         *
         * @param entries the limit
         * @return this builder
         */
        public Builder maxImports(int entries) {
            this.maxImports = positive(entries, "maxImports");
            return this;
        }

        /**
         * Sets the most calls to this side's targets and functions that may have started and not
         * yet finished (e.g. methods whose {@code CompletionStage} is still pending). A peer whose
         * call would exceed it has its session aborted, with a message naming this limit.
         * Default {@value SessionOptions#DEFAULT_MAX_CALLS_IN_FLIGHT}.
         *
         * @param calls the limit
         * @return this builder
         */
        public Builder maxCallsInFlight(int calls) {
            this.maxCallsInFlight = positive(calls, "maxCallsInFlight");
            return this;
        }

        /**
         * Sets the most bytes that may wait in the transport for a peer that reads too slowly or
         * not at all ({@link capnweb.api.spi.MessageTransport#queuedBytes()}). Past it the session
         * is aborted and the transport closed, so that a peer that stops reading cannot make this
         * side buffer without bound. Default {@value SessionOptions#DEFAULT_MAX_QUEUED_BYTES} (64 MiB).
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder maxQueuedBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxQueuedBytes must be positive, got " + bytes);
            }
            this.maxQueuedBytes = bytes;
            return this;
        }

        /**
         * Sets a hook that sees every error before it is sent to the peer, to log it or to choose
         * what is sent. If the hook returns an error, that error is sent in its place, with its
         * stack trace; if it returns empty, the original is sent without a stack (the default).
         *
         * @param hook the hook; must not throw
         * @return this builder
         */
        public Builder onSendError(Function<Throwable, Optional<Throwable>> hook) {
            this.onSendError = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Sets the executor that runs target methods, and all of the session's work. Calls of one
         * session still run one at a time, in arrival order. Without one, the session runs on the
         * engine's shared pool, or, while it is idle, on the thread that hands it work: an
         * application thread making a call, or a transport thread that may block (Jetty's, never
         * a Vert.x event loop). {@code Runnable::run} runs it on whichever thread hands it work;
         * {@link #directExecutor()} does that and also runs promise callbacks without a hand-off.
         * Replaces {@link #directExecutor()} if it was set.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            this.directExecutor = false;
            return this;
        }

        /**
         * Runs everything the session does on the thread that hands it work, with no hand-off to
         * another thread: a message on the transport thread that received it (a Vert.x event loop
         * included), a call on the application thread that makes it, and callbacks on this
         * session's promises ({@code thenApply}, {@code whenComplete}...) on the session's thread
         * just after the message that settled them, the way promise reactions run in JavaScript.
         * A call made from such a callback is sent from the same thread, written together with
         * whatever else the session sends while handling that message.
         *
         * <p>The fastest setting, in the spirit of gRPC's {@code directExecutor()}, and only for
         * applications whose target methods and promise callbacks never block: a blocked one holds
         * up its whole session and, on Vert.x, every connection of its event loop.
         * {@link RpcPromise#join()} on the session's thread still fails at once. Replaces any
         * executor set before.
         *
         * @return this builder
         */
        public Builder directExecutor() {
            this.executor = Runnable::run;
            this.directExecutor = true;
            return this;
        }

        /**
         * Sets how long {@link RpcPromise#join()} waits before it throws
         * {@link RpcTimeoutException}. Without it, {@code join()} waits until the result or the
         * end of the session.
         *
         * @param timeout the default wait
         * @return this builder
         */
        public Builder defaultTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("defaultTimeout must be positive, got " + timeout);
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /**
         * Records where each stub and promise the application holds was created (a stack trace),
         * for finding leaks: when the session ends, the ones never closed (and, for promises,
         * never awaited) are logged at WARNING by the logger {@code capnweb.protocol.Session},
         * and {@link RpcSession#unclosedStubs()} lists them. Costs a stack trace per stub; meant
         * for development and tests. Off by default.
         *
         * @param track whether to track
         * @return this builder
         */
        public Builder trackStubLeaks(boolean track) {
            this.trackStubLeaks = track;
            return this;
        }

        /**
         * Adds an interceptor that runs around each call the session delivers to a local
         * target or function (see {@link CallInterceptor}). Interceptors run in the order they
         * were added, the first added outermost: it sees the call first and its result last.
         *
         * @param interceptor the interceptor
         * @return this builder
         */
        public Builder interceptor(CallInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Adds an interceptor that runs around each call made through one of the session's
         * stubs (see {@link OutgoingCallInterceptor}). Interceptors run in the order they were
         * added, the first added outermost: it sees the call first and returns the promise the
         * application gets.
         *
         * @param interceptor the interceptor
         * @return this builder
         */
        public Builder outgoingInterceptor(OutgoingCallInterceptor interceptor) {
            outgoingInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** @return the options */
        public SessionOptions build() {
            return new SessionOptions(this);
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
