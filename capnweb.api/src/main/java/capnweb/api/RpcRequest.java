package capnweb.api;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A Fetch API {@code Request}: URL, method, headers, an optional body, and any other
 * {@code RequestInit} options (such as {@code redirect}) as plain values. Immutable, except that
 * a streamed body can be read only once.
 *
 * <p>The body is null, a {@code String}, a {@code byte[]}, or a {@link java.util.concurrent.Flow.Publisher}
 * of {@code byte[]} chunks; a body received from a peer is an {@link RpcReadableStream}.
 */
public final class RpcRequest {
    private final String url;
    private final String method;
    private final RpcHeaders headers;
    private final Object body;
    private final Map<String, Object> options;

    private RpcRequest(String url, String method, RpcHeaders headers, Object body, Map<String, Object> options) {
        this.url = url;
        this.method = method;
        this.headers = headers;
        this.body = body;
        this.options = options;
    }

    /** A request with no headers and no body. */
    public static RpcRequest of(String method, String url) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        return new RpcRequest(url, method, RpcHeaders.of(), null, Map.of());
    }

    /** This request with {@code headers} instead of its own. */
    public RpcRequest withHeaders(RpcHeaders headers) {
        return new RpcRequest(url, method, Objects.requireNonNull(headers, "headers"), body, options);
    }

    /** This request with {@code body} (null, String, byte[] or a publisher of byte[] chunks). */
    public RpcRequest withBody(Object body) {
        return new RpcRequest(url, method, headers, FetchBodies.check(body), options);
    }

    /** This request with one more {@code RequestInit} option, a plain JSON-like value. */
    public RpcRequest withOption(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(options);
        copy.put(Objects.requireNonNull(name, "name"), value);
        return new RpcRequest(url, method, headers, body, Collections.unmodifiableMap(copy));
    }

    /** The URL. */
    public String url() {
        return url;
    }

    /** The method, such as "GET". */
    public String method() {
        return method;
    }

    /** The headers. */
    public RpcHeaders headers() {
        return headers;
    }

    /** The body, if there is one. */
    public Optional<Object> body() {
        return Optional.ofNullable(body);
    }

    /** Other {@code RequestInit} options, such as {@code redirect}. */
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
        return "RpcRequest[" + method + " " + url + "]";
    }
}
