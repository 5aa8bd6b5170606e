package capnweb.api;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A Fetch API {@code Response}: status, status text, headers, an optional body, and any other
 * {@code ResponseInit} options as plain values. Immutable, except that a streamed body can be
 * read only once.
 *
 * <p>The body is null, a {@code String}, a {@code byte[]}, or a {@link java.util.concurrent.Flow.Publisher}
 * of {@code byte[]} chunks; a body received from a peer is an {@link RpcReadableStream}.
 */
public final class RpcResponse {
    private final int status;
    private final String statusText;
    private final RpcHeaders headers;
    private final Object body;
    private final Map<String, Object> options;

    private RpcResponse(int status, String statusText, RpcHeaders headers, Object body, Map<String, Object> options) {
        this.status = status;
        this.statusText = statusText;
        this.headers = headers;
        this.body = body;
        this.options = options;
    }

    /** A response with the given status, headers and body (null, String, byte[] or a publisher). */
    public static RpcResponse of(int status, RpcHeaders headers, Object body) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("A response status must be in 200..599, got " + status + ".");
        }
        return new RpcResponse(status, "", Objects.requireNonNull(headers, "headers"), FetchBodies.check(body), Map.of());
    }

    /** This response with a status text such as "OK". */
    public RpcResponse withStatusText(String statusText) {
        return new RpcResponse(status, Objects.requireNonNull(statusText, "statusText"), headers, body, options);
    }

    /** This response with one more {@code ResponseInit} option, a plain JSON-like value. */
    public RpcResponse withOption(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(options);
        copy.put(Objects.requireNonNull(name, "name"), value);
        return new RpcResponse(status, statusText, headers, body, Collections.unmodifiableMap(copy));
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** The status text, "" if none. */
    public String statusText() {
        return statusText;
    }

    /** The headers. */
    public RpcHeaders headers() {
        return headers;
    }

    /** The body, if there is one. */
    public Optional<Object> body() {
        return Optional.ofNullable(body);
    }

    /** Other {@code ResponseInit} options. */
    public Map<String, Object> options() {
        return options;
    }

    /** Reads the whole body (empty if there is none). */
    public CompletionStage<byte[]> bodyBytes() {
        return FetchBodies.bytes(body);
    }

    /** Reads the whole body as UTF-8 text. */
    public CompletionStage<String> text() {
        return bodyBytes().thenApply(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "RpcResponse[" + status + "]";
    }
}
