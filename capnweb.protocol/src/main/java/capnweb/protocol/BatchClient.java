package capnweb.protocol;

import capnweb.api.SessionOptions;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client end of an HTTP batch: messages accumulate until the application first waits for a
 * result, then travel in one POST. A blocking wait ({@code join()}) sends at once; a completion
 * callback sends a moment later, so that calls issued one after another still share the request
 * (as the reference waits for a macrotask); calls nobody waits for go out when the session is
 * closed. Once the response has been handled the session ends; whatever is still pending rejects
 * with "Batch RPC request ended.".
 */
final class BatchClient extends Session {
    /** How long a completion callback waits for more calls before the batch goes out. */
    static final long SEND_DELAY_MILLIS = 5;

    private final HttpBatchPoster poster;
    private final Outbox outbox;
    private final AtomicBoolean sendScheduled = new AtomicBoolean();

    private BatchClient(Outbox outbox, HttpBatchPoster poster, Object localMain, SessionOptions options) {
        super(outbox, localMain, options);
        this.outbox = outbox;
        this.poster = poster;
    }

    static BatchClient open(HttpBatchPoster poster, Object localMain, SessionOptions options) {
        BatchClient client = new BatchClient(new Outbox(), poster, localMain, options);
        client.start();
        return client;
    }

    @Override
    void onAwait(boolean blocking) {
        if (blocking) {
            run(this::sendBatch);
        } else if (sendScheduled.compareAndSet(false, true)) {
            EnginePools.TIMER.schedule(() -> executor.execute(this::sendBatch), SEND_DELAY_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends what was issued but never waited for (fire-and-forget calls), then ends the session
     * once the response is in; with nothing to send, ends it at once.
     */
    @Override
    public void close() {
        run(() -> {
            if (outbox.messages != null && !outbox.messages.isEmpty() && abortReason() == null) {
                sendBatch();
            } else {
                super.close();
            }
        });
    }

    private void sendBatch() {
        if (outbox.messages == null) {
            return; // already sent
        }
        List<String> batch = outbox.messages;
        outbox.messages = null;
        if (abortReason() != null) {
            return;
        }
        poster.post(String.join("\n", batch)).whenComplete((body, error) -> executor.execute(() -> {
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
            executor.execute(() -> endQuietly(Errors.error("Batch RPC request ended.")));
        }));
    }

    /** Holds outgoing messages until the batch is sent; afterwards drops them, as the reference does. */
    private static final class Outbox implements MessageTransport {
        List<String> messages = new ArrayList<>();

        @Override
        public void start(MessageReceiver receiver) {
        }

        @Override
        public void send(String message) {
            if (messages != null) {
                messages.add(message);
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
