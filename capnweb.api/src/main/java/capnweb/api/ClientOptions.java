package capnweb.api;

import capnweb.api.spi.HeaderRules;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Settings for {@link CapnWeb#connect(java.net.URI, ClientOptions)}: the object this side exposes
 * to the peer, the session settings, the transport, and connection details. Immutable.
 */
public final class ClientOptions {
    private static final ClientOptions DEFAULTS = builder().build();

    private final Object localMain;
    private final SessionOptions sessionOptions;
    private final String transport;
    private final Map<String, String> headers;
    private final Duration connectTimeout;
    private final TrustManagerFactory tlsTrust;
    private final KeyManagerFactory tlsKeys;
    private final Duration pingInterval;
    private final Duration serverTimeout;
    private final ProxySelector proxy;
    private final PasswordAuthentication proxyCredentials;

    private ClientOptions(Builder b) {
        this.localMain = b.localMain;
        this.sessionOptions = b.sessionOptions;
        this.transport = b.transport;
        this.headers = Map.copyOf(b.headers);
        this.connectTimeout = b.connectTimeout;
        this.tlsTrust = b.tlsTrust;
        this.tlsKeys = b.tlsKeys;
        this.pingInterval = b.pingInterval;
        this.serverTimeout = b.serverTimeout;
        this.proxy = b.proxy;
        this.proxyCredentials = b.proxyCredentials;
    }

    /** @return the options with every default */
    public static ClientOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the main object this side exposes to the peer, if any */
    public Optional<Object> localMain() {
        return Optional.ofNullable(localMain);
    }

    /** @return the session settings */
    public SessionOptions sessionOptions() {
        return sessionOptions;
    }

    /** @return the transport asked for by name, if any; otherwise discovery chooses */
    public Optional<String> transport() {
        return Optional.ofNullable(transport);
    }

    /** @return extra HTTP headers for the WebSocket upgrade or batch request */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return how long connecting may take */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return how often a WebSocket client pings its server; zero (the default) for never */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * @return how long a WebSocket client with pings waits to hear from its server (anything,
     *     pongs included) before it drops the connection and the session ends
     */
    public Duration serverTimeout() {
        return serverTimeout;
    }

    /**
     * @return whom to trust over {@code https:} and {@code wss:} instead of the JVM's trust
     *     store, if set
     */
    public Optional<TrustManagerFactory> tlsTrust() {
        return Optional.ofNullable(tlsTrust);
    }

    /** @return the client's own key and certificate, for servers that ask for one, if set */
    public Optional<KeyManagerFactory> tlsKeys() {
        return Optional.ofNullable(tlsKeys);
    }

    /**
     * @return what names the proxy of each connection, if set; without it every connection goes
     *     straight to its server
     */
    public Optional<ProxySelector> proxy() {
        return Optional.ofNullable(proxy);
    }

    /** @return the user name and password for a proxy that asks for them, if set */
    public Optional<PasswordAuthentication> proxyCredentials() {
        return Optional.ofNullable(proxyCredentials);
    }

    /** Builds {@link ClientOptions}. Not thread-safe. */
    public static final class Builder {
        private Object localMain;
        private SessionOptions sessionOptions = SessionOptions.defaults();
        private String transport;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private TrustManagerFactory tlsTrust;
        private KeyManagerFactory tlsKeys;
        private Duration pingInterval = Duration.ZERO;
        private Duration serverTimeout = Duration.ZERO;
        private ProxySelector proxy;
        private PasswordAuthentication proxyCredentials;

        private Builder() {
        }

        /**
         * Connects through the proxy {@code proxies} names for each connection, as the JDK's own
         * clients do. It is asked with the server's URI, {@code ws:} and {@code wss:} given as
         * {@code http:} and {@code https:}, and the first proxy it names is used:
         * <ul>
         * <li>{@link Proxy.Type#HTTP}: an HTTP proxy. WebSocket sessions and {@code https:}
         *     batches reach their server through a {@code CONNECT} tunnel, so TLS runs end to end;
         *     a plain {@code http:} batch is sent to the proxy to forward.</li>
         * <li>{@link Proxy.Type#SOCKS}: a SOCKS5 proxy.</li>
         * <li>{@link Proxy.Type#DIRECT}, or none: straight to the server.</li>
         * </ul>
         * {@link ProxySelector#getDefault()} follows the JVM's {@code http.proxyHost},
         * {@code https.proxyHost}, {@code http.nonProxyHosts} and {@code socksProxyHost}
         * properties; {@code ProxySelector.of(address)} names one HTTP proxy for every server.
         * Without this setting no proxy is used, whatever those properties say.
         *
         * @param proxies names the proxy for a server's URI
         * @return this builder
         */
        public Builder proxy(ProxySelector proxies) {
            this.proxy = Objects.requireNonNull(proxies, "proxies");
            return this;
        }

        /**
         * Connects through one proxy for every server, for example
         * {@code new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("socks.example", 1080))}; see
         * {@link #proxy(ProxySelector)}.
         *
         * @param proxy an HTTP or SOCKS proxy, or {@link Proxy#NO_PROXY}
         * @return this builder
         */
        public Builder proxy(Proxy proxy) {
            Objects.requireNonNull(proxy, "proxy");
            List<Proxy> always = List.of(proxy);
            return proxy(new ProxySelector() {
                @Override
                public List<Proxy> select(URI uri) {
                    return always;
                }

                @Override
                public void connectFailed(URI uri, SocketAddress proxyAddress, java.io.IOException failure) {
                    // one proxy: nothing to choose instead
                }

                @Override
                public String toString() {
                    return String.valueOf(proxy);
                }
            });
        }

        /**
         * Gives the proxy this user name and password: HTTP Basic authentication
         * ({@code Proxy-Authorization}, sent from the first request) for an HTTP proxy, RFC 1929
         * for a SOCKS5 one that asks for them. Sent to the proxy only, never to the server; over a
         * plain connection to an HTTP proxy they cross the network readable, as Basic
         * authentication does.
         *
         * @param username the user name
         * @param password the password; copied
         * @return this builder
         */
        public Builder proxyCredentials(String username, char[] password) {
            this.proxyCredentials = new PasswordAuthentication(Objects.requireNonNull(username, "username"),
                    Objects.requireNonNull(password, "password"));
            return this;
        }

        /**
         * Pings the server of a WebSocket session every {@code interval}, and drops the connection
         * if the server sends nothing, not even a pong, for {@code timeout}: the session then ends
         * and its pending calls fail, where without pings a server gone without closing the
         * connection (a network partition, a machine turned off) leaves them waiting until TCP
         * gives up. The pings also keep proxies in between from dropping a quiet connection. The
         * server is pinged at least twice within the timeout. Off by default; the Java servers
         * ping their clients themselves (see {@code ServerOptions.pingInterval}).
         *
         * @param interval the time between pings, positive
         * @param timeout how long the server may stay silent, longer than {@code interval}
         * @return this builder
         */
        public Builder keepalive(Duration interval, Duration timeout) {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
            if (interval.isZero() || interval.isNegative() || timeout.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("keepalive needs a positive interval and a longer timeout, got "
                        + interval + " and " + timeout);
            }
            this.pingInterval = interval;
            this.serverTimeout = timeout;
            return this;
        }

        /**
         * Trusts the certificates in {@code certificates} over {@code https:} and {@code wss:},
         * instead of the JVM's trust store (by default its {@code cacerts}, or what
         * {@code javax.net.ssl.trustStore} names): for a server whose certificate is self-signed
         * or issued by a private authority. The server's host name is still checked against its
         * certificate.
         *
         * @param certificates a key store of trusted certificates, e.g. a PKCS12 file made with
         *     {@code keytool -importcert}
         * @return this builder
         * @throws IllegalArgumentException if the key store cannot be read
         */
        public Builder tlsTrust(KeyStore certificates) {
            return tlsTrust(KeyStores.trust(certificates, "the server's certificate or its authority's"));
        }

        /**
         * Trusts what an initialized {@link TrustManagerFactory} trusts over {@code https:} and
         * {@code wss:}, instead of the JVM's trust store. Clients that share one factory share
         * their connections' TLS setup, so build it once.
         *
         * @param trust the trust managers
         * @return this builder
         */
        public Builder tlsTrust(TrustManagerFactory trust) {
            this.tlsTrust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        /**
         * Presents the certificate chain and private key in {@code keyStore} to servers that ask
         * the client for one (mutual TLS, {@code ServerOptions.tlsClientTrust}), for example a
         * PKCS12 file:
         *
         * <pre>{@code
         * builder.tlsKeys(KeyStore.getInstance(new File("client.p12"), password), password);
         * }</pre>
         *
         * @param keyStore a key store holding the client's private key and certificate chain
         * @param password the password of the key
         * @return this builder
         * @throws IllegalArgumentException if the key store holds no private key, or the password
         *     does not open it
         */
        public Builder tlsKeys(KeyStore keyStore, char[] password) {
            return tlsKeys(KeyStores.keys(keyStore, password, "client's"));
        }

        /**
         * Presents the keys of an initialized {@link KeyManagerFactory} to servers that ask the
         * client for a certificate. Clients that share one factory (and one trust) share their
         * connections' TLS setup, so build it once.
         *
         * @param keys the client's key managers
         * @return this builder
         */
        public Builder tlsKeys(KeyManagerFactory keys) {
            this.tlsKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * Sets the object the peer can call: an {@link RpcTarget}, an {@link RpcFunction} or a
         * stub.
         *
         * @param main the object
         * @return this builder
         */
        public Builder localMain(Object main) {
            this.localMain = Objects.requireNonNull(main, "main");
            return this;
        }

        /**
         * Sets the session settings.
         *
         * @param options the settings
         * @return this builder
         */
        public Builder sessionOptions(SessionOptions options) {
            this.sessionOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Asks for a transport by name ({@code "jetty"}, {@code "vertx"}) instead of the one
         * discovery prefers.
         *
         * @param name the provider name
         * @return this builder
         */
        public Builder transport(String name) {
            this.transport = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Adds an HTTP header to the WebSocket upgrade or batch request.
         *
         * @param name the header name
         * @param value the value, one line of Latin-1 text
         * @return this builder
         * @throws IllegalArgumentException if the name is not an HTTP token, the value holds a
         *     line break or another control character, or the header is one the transport writes
         *     itself (Content-Length, Transfer-Encoding, Connection, Upgrade, Host, Expect and the
         *     other hop-by-hop headers, and Sec-WebSocket-*)
         */
        public Builder header(String name, String value) {
            HeaderRules.check("ClientOptions.header", name, value);
            headers.put(name, value);
            return this;
        }

        /**
         * Sets how long connecting may take (10 seconds by default): for a WebSocket, until the
         * server accepted the upgrade; for each batch, until its request starts out on a
         * connection (a TLS handshake and a proxy's tunnel included). A server that does not
         * answer fails the connect, or the batch's calls, once it passes.
         *
         * @param timeout the limit, positive
         * @return this builder
         * @throws IllegalArgumentException if the timeout is zero or negative
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("ClientOptions.connectTimeout must be positive, got " + timeout + ".");
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalStateException if {@link #proxyCredentials} is set without a proxy
         */
        public ClientOptions build() {
            if (proxyCredentials != null && proxy == null) {
                throw new IllegalStateException("ClientOptions.proxyCredentials needs a proxy: name it with proxy(...) "
                        + "too.");
            }
            return new ClientOptions(this);
        }
    }
}
