package capnweb.api;

import java.io.InputStream;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A readable stream received from a peer (a JavaScript {@code ReadableStream}): a
 * {@link Flow.Publisher} of its chunks, for one subscriber. Chunks are whatever values the peer
 * wrote, usually {@code byte[]}.
 *
 * <p>Flow control is end to end: the peer only sends more once this side requested more chunks
 * through its {@link Flow.Subscription}, so a slow consumer slows the producer down and memory stays
 * bounded. A stream that nobody subscribes to is canceled when the value that carried it is
 * released.
 *
 * <p>To send a stream to a peer, pass any {@link Flow.Publisher} (see {@link RpcStreams} for
 * ready-made ones); it is sent as a JavaScript {@code ReadableStream}.
 */
public interface RpcReadableStream extends Flow.Publisher<Object> {

    /**
     * A blocking view of a stream of byte chunks; reading it requests the next chunk as needed.
     * Closing it cancels the stream. A chunk that is not bytes fails the read with an
     * {@link java.io.IOException}.
     */
    default InputStream asInputStream() {
        return RpcStreams.toInputStream(this);
    }

    /** Reads the whole stream of byte chunks into one array. */
    default CompletionStage<byte[]> readAllBytes() {
        return RpcStreams.readAllBytes(this);
    }
}
