package capnweb.protocol;

import capnweb.api.SessionOptions;
import capnweb.api.SessionRequest;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The server end of an HTTP batch: runs a session over the request's messages, waits until every
 * message has been handled and every pulled result sent, answers with what the session sent,
 * and then ends the session so that nothing it held outlives the request.
 *
 * <p>Bad input aborts the session as on any transport; the response then carries the messages
 * sent so far, ending with the {@code abort} message, so the client learns what went wrong.
 */
final class BatchServer {
    /** Why a pull or stream message the server sends cannot be answered within the batch. */
    static final String CANNOT_WAIT = "An HTTP batch server cannot wait for a result from the client: the client "
            + "can only answer in a later request. Use a WebSocket session for calls back to the client.";
    /** Why what still waits for the client once the request was read fails. */
    static final String INPUT_ENDED = "The HTTP batch ended while the server still waited for the client: a promise "
            + "it sent was not resolved, or a stream it writes to was not closed, within the request. Resolve and "
            + "close them in the same batch, or use a WebSocket session.";

    /** Why a batch whose client went away before the answer ends. */
    static final String CLIENT_GONE = "The HTTP batch's client went away before the answer, so the batch was ended.";

    private BatchServer() {
    }

    /**
     * Serves one batch. Unless the application chose an executor, the session runs on the calling
     * thread (which may block: a Jetty request thread, a Vert.x worker) until the batch is done,
     * and on the engine's pool after that.
     */
    static CompletionStage<String> serve(String body, Object localMain, SessionOptions options,
            SessionRequest request) {
        Executor chosen = options.executor().orElse(null);
        if (chosen != null) {
            return serveWith(body, localMain, options, chosen, request);
        }
        CallerThreadExecutor here = new CallerThreadExecutor(EnginePools.SHARED);
        try {
            return serveWith(body, localMain, options, here, request);
        } finally {
            here.release();
        }
    }

    private static CompletionStage<String> serveWith(String body, Object localMain, SessionOptions options,
            Executor runOn, SessionRequest request) {
        Collector transport = new Collector();
        Session session = new Session(transport, localMain, options, runOn, request) {
            @Override
            Throwable pullRefusal() {
                // The reference would hang here; an error that says why is kinder.
                return Errors.error(CANNOT_WAIT);
            }
        };
        session.start();
        // One message per line, empty lines included (as split("\n", -1) would), without the
        // array and list that split allocates.
        if (!body.isEmpty()) {
            int from = 0;
            while (true) {
                int end = body.indexOf('\n', from);
                if (end < 0) {
                    session.onMessage(from == 0 ? body : body.substring(from));
                    break;
                }
                session.onMessage(body.substring(from, end));
                from = end + 1;
            }
        }
        Answer response = new Answer(session);
        // Queued after every message, so it runs once all of them were handled.
        session.executor.execute(() -> {
            // Nothing more can come from the client; the reference would wait for it for ever.
            session.endOfInput(() -> Errors.error(INPUT_ENDED));
            session.drainLater().whenSettled((v, e) -> {
                List<String> sent = transport.sent;
                // Most batches are answered with one message, which needs no joining.
                String text = sent.size() == 1 ? sent.get(0) : String.join("\n", sent);
                session.endQuietly(Errors.batchEnded());
                // Completed here rather than on the delivery pool: the session has ended, and what
                // waits on this future is the transport writing the response (non-blocking), so a
                // further thread hop would only add latency and CPU to every batch.
                response.complete(text);
            });
        });
        return response;
    }

    /**
     * The response body to come. The transport cancels it when the client went away: nothing will
     * read it then, so the session ends at once, where a batch still waiting (on a slow target, or
     * on calls that wait for one another) would hold everything it has for as long as it waits.
     */
    private static final class Answer extends CompletableFuture<String> {
        private final Session session;

        Answer(Session session) {
            this.session = session;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                session.executor.execute(() -> session.endQuietly(Errors.error(CLIENT_GONE)));
            }
            return cancelled;
        }
    }

    /** Collects what the session sends; delivers nothing more than the request held. */
    private static final class Collector implements MessageTransport {
        final List<String> sent = new ArrayList<>();

        @Override
        public void start(MessageReceiver receiver) {
        }

        @Override
        public void send(String message) {
            sent.add(message);
        }

        @Override
        public void close() {
        }

        @Override
        public void abort(Throwable reason) {
        }
    }
}
