package capnweb.api;

import java.io.OutputStream;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A writable stream of a peer (a JavaScript {@code WritableStream}) that this side writes to.
 *
 * <p>It can be written directly ({@link #write}, {@link #close}, {@link #abort}) or subscribed to
 * a {@link Flow.Publisher}, which then gets pumped into it with flow control. Writes are sent in
 * order; {@link #write} completes as soon as the stream's window allows another write (not when
 * the peer has consumed the chunk), so a writer that waits for each write is slowed down to what
 * the peer can take. {@link #close} completes once the peer has consumed everything and closed
 * its end; if any write failed, it fails with that error.
 *
 * <p>To let a peer write to this side, pass any {@link Flow.Subscriber} to it: it is sent as a
 * JavaScript {@code WritableStream}, and each chunk is handed to {@code onNext} once the
 * subscriber requested it.
 *
 * <p>Methods may be called from any thread.
 */
public interface RpcWritableStream extends Flow.Subscriber<Object> {

    /** Sends {@code chunk}; completes once another write may follow, or fails if the stream broke. */
    CompletionStage<Void> write(Object chunk);

    /** Closes the stream normally; completes once the peer has closed its end. */
    CompletionStage<Void> close();

    /** Ends the stream abnormally with {@code reason}. */
    void abort(Throwable reason);

    /**
     * A blocking view that writes each {@code write(...)} call as one byte chunk, waiting while
     * the stream's window is full; {@code close()} closes the stream and waits for it.
     */
    default OutputStream asOutputStream() {
        return RpcStreams.toOutputStream(this);
    }
}
