package capnweb.protocol;

import capnweb.api.RpcReadableStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A pipe (the reference's {@code TransformStream} behind a {@code ["pipe"]} message): what is
 * written to its sink side comes out of its readable side, a {@link Flow.Publisher} for one
 * subscriber. A write completes once its chunk was handed to the subscriber, which happens only
 * when the subscriber asked for more: so the writer's acknowledgements, and with them the
 * sender's flow-control window, follow the pace of the consumer. Also used to feed a local
 * {@link Flow.Subscriber} that a peer writes to. Thread-safe; the subscriber's signals run on
 * {@code signals}, one at a time, never on the session's thread (a subscriber may block).
 */
final class Pipe implements RpcReadableStream, Streams.Sink {
    private static final Object CLOSE = new Object();

    private final java.util.concurrent.Executor signals;
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    private Flow.Subscriber<? super Object> subscriber;
    private long demand;
    private boolean closing;
    private CompletableFuture<Void> closed;
    private Throwable error;
    private boolean cancelled;
    private boolean terminated;
    private boolean draining;

    Pipe(java.util.concurrent.Executor signals) {
        this.signals = signals;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Object> s) {
        synchronized (this) {
            if (subscriber == null && !cancelled) {
                subscriber = s;
                s = null;
            }
        }
        if (s != null) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            s.onError(new IllegalStateException("A ReadableStream can be read only once, and this one was "
                    + (cancelled ? "canceled." : "already subscribed to.")));
            return;
        }
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    Pipe.this.abort(new IllegalArgumentException("request(n) needs a positive n, got " + n));
                    return;
                }
                synchronized (Pipe.this) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                drain();
            }

            @Override
            public void cancel() {
                Pipe.this.cancel(Errors.error("The ReadableStream was canceled by its reader."));
            }
        });
        drain();
    }

    /** Whether a reader subscribed. */
    synchronized boolean isSubscribed() {
        return subscriber != null;
    }

    /** Cancels from the reading side: pending and later writes fail with {@code reason}. */
    void cancel(Throwable reason) {
        ArrayDeque<Object[]> dropped;
        synchronized (this) {
            if (cancelled || terminated) {
                return;
            }
            cancelled = true;
            terminated = true;
            error = reason;
            dropped = new ArrayDeque<>(queue);
            queue.clear();
        }
        for (Object[] entry : dropped) {
            ((CompletableFuture<?>) entry[1]).completeExceptionally(reason);
        }
        if (closed != null) {
            closed.completeExceptionally(reason);
        }
    }

    @Override
    public CompletionStage<Void> write(Object chunk) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (error != null) {
                return CompletableFuture.failedFuture(error);
            }
            if (closing) {
                return CompletableFuture.failedFuture(Errors.type("Cannot write to a closed WritableStream."));
            }
            queue.add(new Object[] {chunk, done});
        }
        drain();
        return done;
    }

    @Override
    public CompletionStage<Void> close() {
        synchronized (this) {
            if (error != null) {
                return CompletableFuture.failedFuture(error);
            }
            if (closing) {
                return CompletableFuture.failedFuture(Errors.type("Cannot close a WritableStream that is closed."));
            }
            closing = true;
            closed = new CompletableFuture<>();
            if (queue.isEmpty()) {
                // Everything written was read: closed now, whether or not a reader is there yet
                // to be told (as a TransformStream's writable side closes).
                queue.add(new Object[] {CLOSE, new CompletableFuture<Void>()});
                closed.complete(null);
            } else {
                queue.add(new Object[] {CLOSE, closed});
            }
        }
        drain();
        return closed;
    }

    @Override
    public CompletionStage<Void> abort(Throwable reason) {
        ArrayDeque<Object[]> dropped;
        synchronized (this) {
            if (error != null || terminated) {
                return CompletableFuture.completedFuture(null);
            }
            error = reason;
            dropped = new ArrayDeque<>(queue);
            queue.clear();
        }
        for (Object[] entry : dropped) {
            ((CompletableFuture<?>) entry[1]).completeExceptionally(reason);
        }
        drain();
        return CompletableFuture.completedFuture(null);
    }

    /** Hands queued chunks, the end or the error to the subscriber, one signal at a time. */
    private void drain() {
        synchronized (this) {
            if (draining) {
                return;
            }
            draining = true;
        }
        signals.execute(this::signal);
    }

    private void signal() {
        while (true) {
            Flow.Subscriber<? super Object> s;
            Object[] next = null;
            Throwable failure = null;
            synchronized (this) {
                s = subscriber;
                if (s == null || terminated) {
                    draining = false;
                    return;
                }
                if (error != null) {
                    terminated = true;
                    failure = error;
                } else if (!queue.isEmpty() && (queue.peek()[0] == CLOSE || demand > 0)) {
                    next = queue.poll();
                    if (next[0] == CLOSE) {
                        terminated = true;
                    } else {
                        demand--;
                    }
                } else {
                    draining = false;
                    return;
                }
            }
            if (failure != null) {
                s.onError(failure);
            } else if (next[0] == CLOSE) {
                s.onComplete();
                ((CompletableFuture<?>) next[1]).complete(null);
            } else {
                try {
                    s.onNext(next[0]);
                    ((CompletableFuture<?>) next[1]).complete(null);
                } catch (RuntimeException e) {
                    ((CompletableFuture<?>) next[1]).completeExceptionally(e);
                    cancel(e);
                }
            }
        }
    }
}
