package capnweb.api.spi;

import capnweb.api.ClientOptions;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The proxy one client connection goes through, as {@link ClientOptions#proxy()} names it: for
 * transports, which all choose it the same way. Immutable; equal routes may share connections.
 */
public final class ProxyRoute {
    /** What kind of proxy a route goes through. */
    public enum Kind {
        /** An HTTP proxy: {@code CONNECT} tunnels, or plain requests it forwards. */
        HTTP,
        /** A SOCKS5 proxy. */
        SOCKS5
    }

    private final Kind kind;
    private final String host;
    private final int port;
    private final String username;
    private final char[] password;

    private ProxyRoute(Kind kind, String host, int port, PasswordAuthentication credentials) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.username = credentials == null ? null : credentials.getUserName();
        this.password = credentials == null ? null : credentials.getPassword();
    }

    /**
     * The route of a connection to {@code server}: the first proxy {@link ClientOptions#proxy()}
     * names for it, asked with {@code ws:} and {@code wss:} given as {@code http:} and
     * {@code https:}, as the JDK's clients ask.
     *
     * @param options the client's options
     * @param server the URI the client connects to
     * @return the route, or empty to connect straight to the server
     * @throws IllegalArgumentException if the proxy selector fails
     */
    public static Optional<ProxyRoute> of(ClientOptions options, URI server) {
        if (options.proxy().isEmpty()) {
            return Optional.empty();
        }
        ProxySelector selector = options.proxy().get();
        List<Proxy> proxies;
        try {
            proxies = selector.select(asHttp(server));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("The proxy selector of ClientOptions.proxy failed for " + server + ": "
                    + e.getMessage(), e);
        }
        Proxy proxy = proxies == null || proxies.isEmpty() ? Proxy.NO_PROXY : proxies.get(0);
        if (proxy == null || proxy.type() == Proxy.Type.DIRECT) {
            return Optional.empty();
        }
        // The JDK gives every proxy but DIRECT a host and port.
        InetSocketAddress address = (InetSocketAddress) proxy.address();
        Kind kind = proxy.type() == Proxy.Type.SOCKS ? Kind.SOCKS5 : Kind.HTTP;
        return Optional.of(new ProxyRoute(kind, address.getHostString(), address.getPort(),
                options.proxyCredentials().orElse(null)));
    }

    /** The URI a proxy selector is asked with: WebSocket schemes as the HTTP ones they start as. */
    private static URI asHttp(URI server) {
        String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
        String as = scheme.equals("ws") ? "http" : scheme.equals("wss") ? "https" : null;
        return as == null ? server : URI.create(as + server.toString().substring(scheme.length()));
    }

    /** @return the kind of proxy */
    public Kind kind() {
        return kind;
    }

    /** @return the proxy's host name or address, as given */
    public String host() {
        return host;
    }

    /** @return the proxy's port */
    public int port() {
        return port;
    }

    /** @return the user name for the proxy, if {@link ClientOptions#proxyCredentials()} gave one */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** @return the password for the proxy (a copy), if {@link ClientOptions#proxyCredentials()} gave one */
    public Optional<char[]> password() {
        return Optional.ofNullable(password).map(char[]::clone);
    }

    /**
     * Why a connection through this route failed, for a client's error ("Could not open a
     * WebSocket to ...: " + this): the failure, and the proxy it went through.
     *
     * @param failure the reason the client library gave, as {@link TransportText#failureReason}
     *     words it
     * @return the reason, without a final period
     */
    public String failureReason(String failure) {
        return failure + " (through " + this + ")";
    }

    /**
     * An HTTP status answered through this route, for a client's error ("The Cap'n Web batch
     * request to ... failed with " + this): a {@code 407} is the proxy's own, and says what to do.
     *
     * @param status the status code
     * @param refusal the status as {@link TransportText#httpRefusal} words it
     * @return the description, without a final period
     */
    public String answered(int status, String refusal) {
        return failureReason(refusal) + (status == 407 ? credentialsAdvice() : "");
    }

    /**
     * An HTTP proxy's refusal of a {@code CONNECT} tunnel, for a client's error.
     *
     * @param status the status code the proxy answered with
     * @param reason its reason phrase, or null
     * @return the description, without a final period
     */
    public String tunnelRefused(int status, String reason) {
        return this + " refused the tunnel with " + TransportText.httpRefusal(status, reason, null, null)
                + (status == 407 ? credentialsAdvice() : "");
    }

    /** @return a SOCKS5 proxy's refusal of the credentials given, or of none, for a client's error */
    public String credentialsRefused() {
        return this + (username == null ? " asks for credentials: give them with ClientOptions.proxyCredentials"
                : " refused the credentials of ClientOptions.proxyCredentials");
    }

    private String credentialsAdvice() {
        return username == null ? ". The proxy asks for credentials: give them with ClientOptions.proxyCredentials"
                : ". The proxy refused the credentials of ClientOptions.proxyCredentials";
    }

    /** @return "the HTTP proxy at host:port" or "the SOCKS5 proxy at host:port" */
    @Override
    public String toString() {
        return "the " + kind + " proxy at " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProxyRoute)) {
            return false;
        }
        ProxyRoute other = (ProxyRoute) o;
        return kind == other.kind && host.equals(other.host) && port == other.port
                && Objects.equals(username, other.username) && Arrays.equals(password, other.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, host, port, username);
    }
}
