package capnweb.protocol;

import capnweb.api.SessionOptions;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client end of an HTTP batch: messages accumulate until the application first waits for a
 * result, then travel in one POST. A blocking wait ({@code join()}) or {@link #sendBatch()} sends
 * at once; a completion callback sends once the application has been quiet for a moment (no
 * further call and no further callback registered), so that calls and callbacks issued one after
 * another still share the request (as the reference waits for a macrotask); calls nobody waits
 * for go out when the session is closed. Once the response has been handled the session ends;
 * whatever is still pending rejects with "Batch RPC request ended.".
 */
final class BatchClient extends Session {
    /** How long the application must be quiet after a completion callback before the batch goes out. */
    static final long SEND_DELAY_MILLIS = 5;

    private final long quietNanos;

    private final HttpBatchPoster poster;
    private final Outbox outbox;
    private final AtomicBoolean sendScheduled = new AtomicBoolean();
    /** When the application last issued a call or registered a callback, for the quiet period. */
    private volatile long lastActivityNanos;
    /** Set once the batch has gone: the quiet period's checks stop. */
    private volatile boolean sent;

    private BatchClient(Outbox outbox, HttpBatchPoster poster, Object localMain, SessionOptions options,
            long quietMillis) {
        super(outbox, localMain, options);
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        this.outbox = outbox;
        this.poster = poster;
    }

    static BatchClient open(HttpBatchPoster poster, Object localMain, SessionOptions options) {
        return open(poster, localMain, options, SEND_DELAY_MILLIS);
    }

    /** As {@link #open(HttpBatchPoster, Object, SessionOptions)} with another quiet period, for tests. */
    static BatchClient open(HttpBatchPoster poster, Object localMain, SessionOptions options, long quietMillis) {
        BatchClient client = new BatchClient(new Outbox(), poster, localMain, options, quietMillis);
        client.start();
        return client;
    }

    @Override
    void onAwait(boolean blocking) {
        if (blocking) {
            sendBatch();
        } else {
            lastActivityNanos = System.nanoTime();
            if (sendScheduled.compareAndSet(false, true)) {
                sendWhenQuiet();
            }
        }
    }

    /**
     * Sends the batch once no call or callback has come for {@link #SEND_DELAY_MILLIS}: a fixed
     * delay alone would cut a run of calls in two whenever the application's thread is held up
     * between them (a busy machine), and the calls after the cut would fail.
     */
    private void sendWhenQuiet() {
        if (sent) {
            return;
        }
        if (quietFor() >= quietNanos) {
            // Checked again on the session's thread: an application thread may be running a call
            // there right now (see run), and its next call must not miss the batch.
            executor.execute(() -> {
                if (quietFor() >= quietNanos) {
                    post();
                } else {
                    sendWhenQuiet();
                }
            });
        } else {
            QuietChecks.after(quietNanos - quietFor(), this);
        }
    }

    private long quietFor() {
        return System.nanoTime() - Math.max(lastActivityNanos, outbox.lastMessageNanos);
    }

    /**
     * Application threads run their calls on the session themselves when it is idle; the time
     * that takes (long on a cold JVM) is activity, not quiet.
     */
    @Override
    void run(Runnable task) {
        lastActivityNanos = System.nanoTime();
        super.run(() -> {
            try {
                task.run();
            } finally {
                // Stamped on the session's thread, so a quiet check queued meanwhile sees it.
                lastActivityNanos = System.nanoTime();
            }
        });
    }

    /**
     * Sends what was issued but never waited for (fire-and-forget calls), then ends the session
     * once the response is in; with nothing to send, ends it at once.
     */
    @Override
    public void close() {
        run(() -> {
            if (outbox.messages != null && !outbox.messages.isEmpty() && abortReason() == null) {
                post();
            } else {
                super.close();
            }
        });
    }

    @Override
    public void sendBatch() {
        run(this::post);
    }

    private void post() {
        if (outbox.messages == null) {
            return; // already sent
        }
        List<String> batch = outbox.messages;
        outbox.messages = null;
        sent = true;
        if (abortReason() != null) {
            return;
        }
        CompletionStage<String> answer;
        try {
            answer = poster.post(String.join("\n", batch));
        } catch (RuntimeException e) {
            // A transport's fault, not the peer's: the batch's calls fail with it rather than wait.
            abort(e, false);
            return;
        }
        answer.whenComplete((body, error) -> executor.execute(() -> {
            if (error != null) {
                abort(Errors.unwrap(error), false);
                return;
            }
            if (!body.isEmpty()) {
                for (String line : body.split("\n", -1)) {
                    onMessage(line);
                }
            }
            // After the messages above (the executor is FIFO): nothing more can arrive.
            executor.execute(() -> endQuietly(Errors.batchEnded()));
        }));
    }

    /**
     * The quiet-period checks of every batch client in the JVM, grouped by the millisecond they
     * fall due, so that the timer wakes at most once a millisecond rather than once per batch
     * (most batches are sent before their check, by a blocking wait or {@link #sendBatch()}).
     */
    private static final class QuietChecks {
        private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
        private static final ConcurrentHashMap<Long, List<BatchClient>> DUE = new ConcurrentHashMap<>();

        static void after(long nanos, BatchClient client) {
            long now = System.nanoTime();
            long tick = Math.floorDiv(now + nanos + TICK_NANOS - 1, TICK_NANOS);
            boolean[] first = {false};
            DUE.compute(tick, (t, clients) -> {
                if (clients == null) {
                    clients = new ArrayList<>();
                    first[0] = true;
                }
                clients.add(client);
                return clients;
            });
            if (first[0]) {
                EnginePools.after(tick * TICK_NANOS - now, () -> run(tick));
            }
        }

        private static void run(long tick) {
            // Removed atomically: a client checked in for this tick from now on starts a new list
            // and a new timer, which is due at once.
            List<BatchClient> clients = DUE.remove(tick);
            if (clients != null) {
                for (BatchClient client : clients) {
                    if (!client.sent) {
                        // Each on a thread of its own: with directExecutor() the send runs the
                        // application's poster, which must not hold up the other clients.
                        EnginePools.SHARED.execute(client::sendWhenQuiet);
                    }
                }
            }
        }
    }

    /** Holds outgoing messages until the batch is sent; afterwards drops them, as the reference does. */
    private static final class Outbox implements MessageTransport {
        List<String> messages = new ArrayList<>();
        volatile long lastMessageNanos = System.nanoTime();

        @Override
        public void start(MessageReceiver receiver) {
        }

        @Override
        public void send(String message) {
            if (messages != null) {
                messages.add(message);
                lastMessageNanos = System.nanoTime();
            }
        }

        @Override
        public void close() {
        }

        @Override
        public void abort(Throwable reason) {
        }
    }
}
