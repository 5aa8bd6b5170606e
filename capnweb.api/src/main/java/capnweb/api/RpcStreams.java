package capnweb.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ready-made streams to send to a peer, and adapters between {@link Flow} streams and
 * {@code java.io} streams. Every publisher here produces chunks only as they are requested, so
 * sending one to a peer keeps memory bounded however long it is.
 */
public final class RpcStreams {
    private static final Object END = new Object();

    private RpcStreams() {
    }

    /** A publisher of the given chunks, in order; each subscriber gets them all. */
    public static Flow.Publisher<Object> publisherOf(Iterable<?> chunks) {
        Objects.requireNonNull(chunks, "chunks");
        return subscriber -> new IteratorSubscription(subscriber, chunks.iterator(), null).start();
    }

    /** A publisher of the given chunks, in order. */
    public static Flow.Publisher<Object> publisherOf(Object... chunks) {
        return publisherOf(Arrays.asList(chunks.clone()));
    }

    /**
     * A publisher of the bytes of {@code in}, in chunks of at most {@code chunkSize} bytes, read
     * on a thread of its own as they are requested; for one subscriber. The input is closed at
     * the end, on an error, or when the subscriber cancels.
     */
    public static Flow.Publisher<Object> fromInputStream(InputStream in, int chunkSize) {
        Objects.requireNonNull(in, "in");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, got " + chunkSize);
        }
        AtomicBoolean used = new AtomicBoolean();
        return subscriber -> {
            if (used.getAndSet(true)) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onError(new IllegalStateException("This InputStream publisher was already subscribed to."));
                return;
            }
            Iterator<Object> chunks = new Iterator<>() {
                private byte[] next;
                private boolean done;

                @Override
                public boolean hasNext() {
                    if (next == null && !done) {
                        try {
                            byte[] buf = in.readNBytes(chunkSize);
                            if (buf.length == 0) {
                                done = true;
                                in.close();
                            } else {
                                next = buf;
                            }
                        } catch (IOException e) {
                            throw new CompletionException(e);
                        }
                    }
                    return next != null;
                }

                @Override
                public Object next() {
                    hasNext();
                    byte[] b = next;
                    next = null;
                    return b;
                }
            };
            Executor reader = task -> {
                Thread t = new Thread(task, "capnweb-input-stream-reader");
                t.setDaemon(true);
                t.start();
            };
            new IteratorSubscription(subscriber, chunks, reader) {
                @Override
                void onEnd() {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // nothing left to read anyway
                    }
                }
            }.start();
        };
    }

    /**
     * A blocking {@link InputStream} over a publisher of byte chunks. It requests one chunk at a
     * time, so the publisher is slowed down to the reader's pace. Closing it cancels the stream.
     */
    public static InputStream toInputStream(Flow.Publisher<?> publisher) {
        Objects.requireNonNull(publisher, "publisher");
        ChunkInputStream in = new ChunkInputStream();
        publisher.subscribe(in.subscriber);
        return in;
    }

    /** Reads a whole publisher of byte chunks into one array. */
    public static CompletionStage<byte[]> readAllBytes(Flow.Publisher<?> publisher) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        publisher.subscribe(new Flow.Subscriber<Object>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Object item) {
                if (item instanceof byte[]) {
                    out.writeBytes((byte[]) item);
                } else {
                    subscription.cancel();
                    result.completeExceptionally(new IllegalArgumentException(
                            "Expected a stream of byte chunks, got a chunk of type "
                                    + (item == null ? "null" : item.getClass().getName()) + "."));
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out.toByteArray());
            }
        });
        return result;
    }

    /** Reads every chunk of a publisher into a list. */
    public static CompletionStage<List<Object>> readAll(Flow.Publisher<?> publisher) {
        CompletableFuture<List<Object>> result = new CompletableFuture<>();
        List<Object> out = new ArrayList<>();
        publisher.subscribe(new Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Object item) {
                out.add(item);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out);
            }
        });
        return result;
    }

    /**
     * A blocking {@link OutputStream} over a writable stream: each write sends a copy of the
     * bytes as one chunk and waits while the stream's window is full.
     */
    public static OutputStream toOutputStream(RpcWritableStream stream) {
        Objects.requireNonNull(stream, "stream");
        return new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (closed) {
                    throw new IOException("The stream is closed.");
                }
                if (len == 0) {
                    return;
                }
                await(stream.write(Arrays.copyOfRange(b, off, off + len)));
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    await(stream.close());
                }
            }
        };
    }

    private static void await(CompletionStage<Void> stage) throws IOException {
        try {
            stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the stream.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new IOException("The stream failed: " + cause.getMessage(), cause);
        }
    }

    /** Emits an iterator's elements as they are requested, inline or on an executor. */
    private static class IteratorSubscription implements Flow.Subscription {
        private final Flow.Subscriber<? super Object> subscriber;
        private final Iterator<?> iterator;
        private final Executor executor;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean draining = new AtomicBoolean();
        private volatile boolean cancelled;
        private boolean finished;

        IteratorSubscription(Flow.Subscriber<? super Object> subscriber, Iterator<?> iterator, Executor executor) {
            this.subscriber = subscriber;
            this.iterator = iterator;
            this.executor = executor;
        }

        void start() {
            subscriber.onSubscribe(this);
        }

        void onEnd() {
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancelled = true;
                subscriber.onError(new IllegalArgumentException("request(n) needs a positive n, got " + n));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            schedule();
        }

        private void schedule() {
            if (draining.compareAndSet(false, true)) {
                if (executor == null) {
                    drain();
                } else {
                    executor.execute(this::drain);
                }
            }
        }

        private void drain() {
            while (true) {
                while (!cancelled && !finished && demand.get() > 0) {
                    Object next;
                    try {
                        if (!iterator.hasNext()) {
                            finished = true;
                            onEnd();
                            subscriber.onComplete();
                            break;
                        }
                        next = iterator.next();
                    } catch (RuntimeException e) {
                        finished = true;
                        onEnd();
                        subscriber.onError(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                        break;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(next);
                }
                draining.set(false);
                if (cancelled || finished || demand.get() == 0 || !draining.compareAndSet(false, true)) {
                    return;
                }
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                onEnd();
            }
        }
    }

    /** An InputStream fed one requested chunk at a time. */
    private static final class ChunkInputStream extends InputStream {
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private byte[] current;
        private int pos;
        private boolean ended;
        private Throwable error;
        private boolean closed;

        final Flow.Subscriber<Object> subscriber = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(Object item) {
                queue.add(item == null ? new IllegalArgumentException("A stream chunk was null.") : item);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(new Failure(t));
            }

            @Override
            public void onComplete() {
                queue.add(END);
            }
        };

        private record Failure(Throwable error) {
        }

        private boolean fill() throws IOException {
            while (current == null || pos == current.length) {
                if (ended) {
                    return false;
                }
                if (error != null) {
                    throw new IOException("The stream failed: " + error.getMessage(), error);
                }
                if (closed) {
                    throw new IOException("The stream is closed.");
                }
                Object item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted while waiting for the stream.");
                }
                if (item == END) {
                    ended = true;
                } else if (item instanceof Failure) {
                    error = ((Failure) item).error();
                } else if (item instanceof byte[]) {
                    current = (byte[]) item;
                    pos = 0;
                    // One chunk ahead: the next is on its way while this one is read.
                    subscription.request(1);
                } else {
                    error = new IOException("Expected a stream of byte chunks, got a chunk of type "
                            + item.getClass().getName() + ".");
                    cancelSubscription();
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return current[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return current == null ? 0 : current.length - pos;
        }

        private void cancelSubscription() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (!ended) {
                    cancelSubscription();
                }
            }
        }
    }
}
