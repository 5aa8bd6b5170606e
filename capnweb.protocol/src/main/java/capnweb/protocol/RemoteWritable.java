package capnweb.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A peer's writable stream as this side writes to it (a received {@code ["writable", id]}, or the
 * writable end of a pipe this side created to send a readable stream). Each operation becomes a
 * {@code ["stream", ...]} message; {@link FlowController} decides how many bytes may be in
 * flight before a write has to wait for acknowledgements. As a {@code Flow.Subscriber} it pumps a
 * publisher into the stream ({@link WritablePump}).
 */
final class RemoteWritable extends WritablePump {
    private static final List<Object> WRITE = List.of("write");
    private static final List<Object> CLOSE = List.of("close");
    private static final List<Object> ABORT = List.of("abort");

    private final Session session;
    private final StubHook hook;
    private final FlowController flow = new FlowController(() -> System.nanoTime() / 1e6);

    // Session-confined:
    private Throwable pendingError;
    private boolean hookDisposed;
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();

    RemoteWritable(Session session, StubHook hook) {
        this.session = session;
        this.hook = hook;
    }

    @Override
    public CompletionStage<Void> write(Object chunk) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Object snapshot;
        try {
            snapshot = AppValues.snapshot(Arrays.asList(chunk), session);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        session.run(() -> writeOnThread(snapshot, result));
        return result;
    }

    private void writeOnThread(Object args, CompletableFuture<Void> result) {
        if (pendingError != null) {
            deliver(result, pendingError);
            return;
        }
        Session.StreamSend sent;
        try {
            sent = session.sendStream(hook, WRITE, Payload.fromParams(args, session));
        } catch (RuntimeException e) {
            fail(e);
            deliver(result, e);
            return;
        }
        if (sent.size() < 0) {
            // Delivered locally: one write at a time.
            sent.done().whenSettled((v, err) -> {
                if (err != null) {
                    fail(err);
                }
                deliver(result, err);
            });
            return;
        }
        FlowController.SendToken token = flow.onSend(sent.size());
        sent.done().whenSettled((v, err) -> {
            if (err == null) {
                if (flow.onAck(token)) {
                    releaseWaiters();
                }
            } else {
                flow.onError(token);
                fail(err);
            }
        });
        if (token.windowFullAtSend()) {
            waiters.add(result);
        } else {
            deliver(result, null);
        }
    }

    private void releaseWaiters() {
        List<CompletableFuture<Void>> ready = new ArrayList<>(waiters);
        waiters.clear();
        for (CompletableFuture<Void> w : ready) {
            deliver(w, null);
        }
    }

    private void fail(Throwable error) {
        if (pendingError == null) {
            pendingError = error;
            disposeHook();
        }
        List<CompletableFuture<Void>> blocked = new ArrayList<>(waiters);
        waiters.clear();
        for (CompletableFuture<Void> w : blocked) {
            deliver(w, pendingError);
        }
    }

    /** Completes an application-facing future off the session thread. */
    private void deliver(CompletableFuture<Void> f, Throwable error) {
        session.deliveryExecutor().execute(() -> {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(Errors.forApplication(error));
            }
        });
    }

    private void disposeHook() {
        if (!hookDisposed) {
            hookDisposed = true;
            hook.dispose();
        }
    }

    @Override
    public CompletionStage<Void> close() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        session.run(() -> {
            if (pendingError != null) {
                disposeHook();
                deliver(result, pendingError);
                return;
            }
            Session.StreamSend sent;
            try {
                sent = session.sendStream(hook, CLOSE, Payload.fromParams(new ArrayList<>(), session));
            } catch (RuntimeException e) {
                disposeHook();
                deliver(result, e);
                return;
            }
            sent.done().whenSettled((v, err) -> {
                Throwable reported = err == null ? null : pendingError != null ? pendingError : err;
                disposeHook();
                deliver(result, reported);
            });
        });
        return result;
    }

    @Override
    public void abort(Throwable reason) {
        Throwable why = reason != null ? reason : Errors.error("WritableStream was aborted");
        Object args;
        try {
            args = AppValues.snapshot(Arrays.asList(why), session);
        } catch (RuntimeException e) {
            args = new ArrayList<>(List.of(Errors.error(String.valueOf(why.getMessage()))));
        }
        Object snapshot = args;
        session.run(() -> {
            if (pendingError != null) {
                return;
            }
            pendingError = why;
            List<CompletableFuture<Void>> blocked = new ArrayList<>(waiters);
            waiters.clear();
            for (CompletableFuture<Void> w : blocked) {
                deliver(w, why);
            }
            try {
                session.sendStream(hook, ABORT, Payload.fromParams(snapshot, session))
                        .done().whenSettled((v, err) -> disposeHook());
            } catch (RuntimeException e) {
                disposeHook();
            }
        });
    }

    /** This writable as the sink of a writable this session exports. */
    Streams.Sink asSink() {
        return new Streams.Sink() {
            @Override
            public CompletionStage<Void> write(Object chunk) {
                return RemoteWritable.this.write(chunk);
            }

            @Override
            public CompletionStage<Void> close() {
                return RemoteWritable.this.close();
            }

            @Override
            public CompletionStage<Void> abort(Throwable reason) {
                RemoteWritable.this.abort(reason);
                return CompletableFuture.completedFuture(null);
            }
        };
    }
}
