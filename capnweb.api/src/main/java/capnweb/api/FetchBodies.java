package capnweb.api;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** The body rules shared by {@link RpcRequest} and {@link RpcResponse}. */
final class FetchBodies {
    private FetchBodies() {
    }

    static Object check(Object body) {
        if (body == null || body instanceof String || body instanceof byte[] || body instanceof Flow.Publisher) {
            return body instanceof byte[] ? ((byte[]) body).clone() : body;
        }
        throw new IllegalArgumentException("A body must be null, a String, a byte[] or a Flow.Publisher of byte[] "
                + "chunks, got " + body.getClass().getName() + ".");
    }

    static CompletionStage<byte[]> bytes(Object body) {
        if (body == null) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        if (body instanceof String) {
            return CompletableFuture.completedFuture(((String) body).getBytes(StandardCharsets.UTF_8));
        }
        if (body instanceof byte[]) {
            return CompletableFuture.completedFuture(((byte[]) body).clone());
        }
        return RpcStreams.readAllBytes((Flow.Publisher<?>) body);
    }
}
