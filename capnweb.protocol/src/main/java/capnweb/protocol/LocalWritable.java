package capnweb.protocol;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Subscriber} handed to a target method that takes an {@code RpcWritableStream}
 * without crossing a connection (a call on a local stub): the target writes to it as it would to
 * a peer's stream, through a {@link Pipe} that hands each chunk on once the subscriber asked for
 * it, so a write completes at the subscriber's pace, as a peer's acknowledgement would.
 */
final class LocalWritable extends WritablePump {
    private final Flow.Subscriber<? super Object> subscriber;
    private Pipe pipe;

    LocalWritable(Flow.Subscriber<? super Object> subscriber) {
        this.subscriber = subscriber;
    }

    /**
     * The pipe, subscribed on first use: converting an argument has no side effect until the
     * target writes, since a method's arguments may be converted for an overload it does not pick.
     */
    private synchronized Pipe pipe() {
        if (pipe == null) {
            pipe = new Pipe(EnginePools.DELIVERY);
            pipe.subscribe(subscriber);
        }
        return pipe;
    }

    @Override
    public CompletionStage<Void> write(Object chunk) {
        return pipe().write(chunk);
    }

    @Override
    public CompletionStage<Void> close() {
        return pipe().close();
    }

    @Override
    public void abort(Throwable reason) {
        pipe().abort(reason != null ? reason : Errors.error("WritableStream was aborted"));
    }
}
