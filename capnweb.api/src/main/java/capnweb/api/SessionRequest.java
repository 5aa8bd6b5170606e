package capnweb.api;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP request that opens a session, as a server's main object factory sees it when built
 * with {@link ServerOptions#builderWithRequest}, and as {@link RpcSession#request()} gives it to
 * a {@link CallInterceptor}: a WebSocket upgrade or an HTTP batch POST. Immutable: a main object
 * may keep it.
 *
 * <p>Browsers cannot set headers on a WebSocket, but they send their cookies and an
 * {@code Origin} header with it, and may put a token in the URL's query. A server that
 * authenticates by cookie should check {@code Origin}: a page of any other site can open a
 * WebSocket to it, and the browser adds the cookies.
 */
public final class SessionRequest {
    private final boolean webSocket;
    private final URI uri;
    private final RpcHeaders headers;
    private final InetSocketAddress remoteAddress;
    private final List<X509Certificate> peerCertificates;

    private SessionRequest(boolean webSocket, URI uri, RpcHeaders headers, InetSocketAddress remoteAddress,
            List<X509Certificate> peerCertificates) {
        this.webSocket = webSocket;
        this.uri = uri;
        this.headers = headers;
        this.remoteAddress = remoteAddress;
        this.peerCertificates = peerCertificates;
    }

    /**
     * A request, as a transport describes it.
     *
     * @param webSocket whether it is a WebSocket upgrade (else an HTTP batch)
     * @param uri the URI the client asked for; an {@code http:} or {@code https:} one of a
     *     WebSocket upgrade is given the {@code ws:} or {@code wss:} scheme the client dialled
     * @param headers the request's headers
     * @param remoteAddress the client's address, or null when the connection has none
     * @return the request
     */
    public static SessionRequest of(boolean webSocket, URI uri, RpcHeaders headers, InetSocketAddress remoteAddress) {
        return of(webSocket, uri, headers, remoteAddress, List.of());
    }

    /**
     * A request over a connection whose client presented a TLS certificate, as a transport
     * describes it.
     *
     * @param webSocket whether it is a WebSocket upgrade (else an HTTP batch)
     * @param uri the URI the client asked for (see {@link #of(boolean, URI, RpcHeaders, InetSocketAddress)})
     * @param headers the request's headers
     * @param remoteAddress the client's address, or null when the connection has none
     * @param peerCertificates the client's verified certificate chain, its own first; empty for none
     * @return the request
     */
    public static SessionRequest of(boolean webSocket, URI uri, RpcHeaders headers, InetSocketAddress remoteAddress,
            List<X509Certificate> peerCertificates) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        return new SessionRequest(webSocket, webSocket ? asWebSocket(uri) : uri, headers, remoteAddress,
                List.copyOf(peerCertificates));
    }

    private static URI asWebSocket(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String ws = scheme.equals("http") ? "ws" : scheme.equals("https") ? "wss" : null;
        return ws == null ? uri : URI.create(ws + uri.toString().substring(scheme.length()));
    }

    /** @return whether the session is a WebSocket session (else an HTTP batch) */
    public boolean isWebSocket() {
        return webSocket;
    }

    /** @return the URI the client asked for: {@code ws:}/{@code wss:} or {@code http:}/{@code https:} */
    public URI uri() {
        return uri;
    }

    /** @return the request's headers, names in lower case */
    public RpcHeaders headers() {
        return headers;
    }

    /**
     * The values of one header joined with ", ", if the request has it.
     *
     * @param name the header's name, in any case
     * @return the value
     */
    public Optional<String> header(String name) {
        return headers.get(name);
    }

    /**
     * The first value of a parameter of the URI's query, decoded ({@code %xx} and {@code +}).
     *
     * @param name the parameter's name, as it is written in the query (decoded)
     * @return the value, empty for {@code ?name} without {@code =}; nothing if it is absent
     */
    public Optional<String> queryParameter(String name) {
        Objects.requireNonNull(name, "name");
        String query = uri.getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            if (decode(key).equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(part.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8); // a URI's escapes are always well formed
    }

    /** @return the client's address, if its connection has one (a Unix socket has none) */
    public Optional<InetSocketAddress> remoteAddress() {
        return Optional.ofNullable(remoteAddress);
    }

    /**
     * The certificate chain the client presented over TLS, verified against the server's
     * {@code ServerOptions.tlsClientTrust}: the client's own certificate first (its subject says
     * who the client is), then any that issued it.
     *
     * @return the chain; empty when the client presented none (no TLS, or no mutual TLS)
     */
    public List<X509Certificate> peerCertificates() {
        return peerCertificates;
    }

    @Override
    public String toString() {
        return (webSocket ? "WebSocket upgrade " : "batch POST ") + uri
                + (remoteAddress == null ? "" : " from " + remoteAddress);
    }
}
