package capnweb.api;

import capnweb.api.spi.HeaderRules;
import capnweb.api.spi.MainFactory;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Settings for {@link CapnWeb#serve(ServerOptions)}: where to listen, which main object each
 * session gets, and the limits of the endpoints. Immutable; build with
 * {@link #builder(Supplier)}, or {@link #builderWithRequest(Function)} for a main object factory
 * that sees each session's request (to authenticate it, for example), or
 * {@link #builderWithRequestAsync(Function)} for one that answers with a stage.
 *
 * <p>The server answers WebSocket upgrades and HTTP batch POSTs on one path. Each WebSocket
 * connection and each batch request is its own session with a fresh main object from the factory.
 */
public final class ServerOptions {
    private final MainFactory mainFactory;
    private final String host;
    private final int port;
    private final String path;
    private final SessionOptions sessionOptions;
    private final int maxMessageSize;
    private final Duration idleTimeout;
    private final Duration pingInterval;
    private final int maxSessions;
    private final int maxConnections;
    private final Duration factoryTimeout;
    private final KeyManagerFactory tlsKeys;
    private final TrustManagerFactory tlsClientTrust;
    private final boolean tlsClientCertificatesRequired;
    private final Map<String, String> batchResponseHeaders;
    private final String transport;

    private ServerOptions(Builder b) {
        this.mainFactory = b.mainFactory.withTimeout(b.factoryTimeout);
        this.factoryTimeout = b.factoryTimeout;
        this.host = b.host;
        this.port = b.port;
        this.path = b.path;
        this.sessionOptions = b.sessionOptions;
        this.maxMessageSize = b.maxMessageSize == 0 ? b.sessionOptions.maxMessageSize() : b.maxMessageSize;
        this.idleTimeout = b.idleTimeout;
        this.pingInterval = b.pingInterval;
        this.maxSessions = b.maxSessions;
        this.maxConnections = b.maxConnections;
        this.tlsKeys = b.tlsKeys;
        this.tlsClientTrust = b.tlsClientTrust;
        this.tlsClientCertificatesRequired = b.tlsClientCertificatesRequired;
        this.batchResponseHeaders = Map.copyOf(b.batchResponseHeaders);
        this.transport = b.transport;
    }

    /**
     * Starts a builder.
     *
     * @param mainFactory makes the main object of each new session: an {@link RpcTarget} or
     *     an {@link RpcFunction}; called once per WebSocket connection or batch request
     * @return the builder
     */
    public static Builder builder(Supplier<?> mainFactory) {
        return new Builder(MainFactory.of(mainFactory));
    }

    /**
     * Starts a builder whose factory sees the request that opens each session: its headers
     * (cookies, {@code Authorization}, {@code Origin}), URI, the client's address and, with
     * {@link Builder#tlsClientTrust(KeyStore) mutual TLS}, the client's certificate. The factory
     * may refuse a session by throwing {@link SessionRefusedException}, answered with its status
     * and message before any session starts:
     * <pre>{@code
     * ServerOptions.builderWithRequest(request -> {
     *     String user = sessions.userOf(request.header("Cookie").orElse(""))
     *             .orElseThrow(() -> new SessionRefusedException(401, "Sign in first."));
     *     return new MyApi(user);
     * })
     * }</pre>
     * The factory runs on a thread that may block (with {@code directExecutor()}, on the thread
     * that read the request), once per WebSocket upgrade, before it is answered, and once per
     * batch.
     *
     * @param mainFactory makes the main object of each new session from its request
     * @return the builder
     */
    public static Builder builderWithRequest(Function<? super SessionRequest, ?> mainFactory) {
        return new Builder(MainFactory.ofRequest(mainFactory));
    }

    /**
     * Starts a builder whose factory sees each session's request, as
     * {@link #builderWithRequest(Function)}'s does, and answers with a stage: for checks that
     * wait on something else, such as a token service or a database, without holding a thread.
     * <pre>{@code
     * ServerOptions.builderWithRequestAsync(request -> tokens.verify(request.header("Authorization").orElse(""))
     *         .thenApply(user -> new MyApi(user)))   // fails with SessionRefusedException to refuse
     * }</pre>
     * The factory is called on the thread that read the request, so it must return at once; the
     * upgrade or batch waits for its stage, and holds one of the server's
     * {@link Builder#maxSessions(int) sessions} meanwhile. A stage that does not complete within
     * {@link Builder#factoryTimeout(Duration)} (30 seconds by default) refuses the session with 503,
     * and a main object it makes later is closed if it is {@link AutoCloseable}. A stage that fails with
     * {@link SessionRefusedException} refuses the session with its status and message; any other
     * failure, or a null main object, is answered with 500.
     *
     * @param mainFactory starts making the main object of each new session from its request
     * @return the builder
     */
    public static Builder builderWithRequestAsync(
            Function<? super SessionRequest, ? extends CompletionStage<?>> mainFactory) {
        return new Builder(MainFactory.ofRequestAsync(mainFactory));
    }

    /** @return the factory of each session's main object */
    public MainFactory mainFactory() {
        return mainFactory;
    }

    /** @return the address to bind; {@code 127.0.0.1} unless set */
    public String host() {
        return host;
    }

    /** @return the port to bind; 0 picks a free one */
    public int port() {
        return port;
    }

    /** @return the path of both endpoints, {@code /rpc} unless set */
    public String path() {
        return path;
    }

    /** @return the settings of each session */
    public SessionOptions sessionOptions() {
        return sessionOptions;
    }

    /**
     * @return the largest WebSocket frame or batch body accepted, in bytes; larger ones are
     *     refused before they are buffered. The session's message limit unless set.
     */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * @return how long a connection may go without hearing from its peer before it is closed: a
     *     WebSocket whose peer answers nothing, not even a ping (see {@link #pingInterval()}), or
     *     one whose HTTP batch is still being answered (the batch then ends)
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * @return how often the server pings each WebSocket peer, so that a session whose peer is
     *     alive stays open however long it is quiet, and one whose peer is gone is closed after
     *     {@link #idleTimeout()}; zero for no pings, when a quiet WebSocket is closed after the
     *     idle timeout. 30 seconds unless set; more often when the idle timeout is shorter than
     *     twice that.
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * @return the most sessions served at once: open WebSocket sessions plus HTTP batches being
     *     read or answered. Beyond it an upgrade or batch is refused with 503.
     *     {@link Integer#MAX_VALUE} (no limit) unless set.
     */
    public int maxSessions() {
        return maxSessions;
    }

    /**
     * @return how long an asynchronous main object factory's stage may take before the session is
     *     refused with 503 (see {@link #builderWithRequestAsync}); 30 seconds unless set
     */
    public Duration factoryTimeout() {
        return factoryTimeout;
    }

    /**
     * @return the most connections a server started with these options keeps open at once, of
     *     any kind: WebSocket, HTTP keep-alive, or still sending its request.
     *     {@link Integer#MAX_VALUE} (no limit) unless set.
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * @return the server's certificate and private key when it serves over TLS ({@code https:}
     *     and {@code wss:}); empty for plain {@code http:} and {@code ws:}, the default
     */
    public Optional<KeyManagerFactory> tlsKeys() {
        return Optional.ofNullable(tlsKeys);
    }

    /**
     * @return whom the server trusts to sign the certificates it requires of its clients (mutual
     *     TLS), if set
     */
    public Optional<TrustManagerFactory> tlsClientTrust() {
        return Optional.ofNullable(tlsClientTrust);
    }

    /**
     * @return whether a client without a trusted certificate fails its handshake (the default
     *     with {@link Builder#tlsClientTrust}), rather than being let in without one
     */
    public boolean tlsClientCertificatesRequired() {
        return tlsClientCertificatesRequired;
    }

    /** @return headers added to every batch response, e.g. for CORS */
    public Map<String, String> batchResponseHeaders() {
        return batchResponseHeaders;
    }

    /** @return the transport asked for by name, if any; otherwise discovery chooses */
    public Optional<String> transport() {
        return Optional.ofNullable(transport);
    }

    /** Builds {@link ServerOptions}. Not thread-safe. */
    public static final class Builder {
        private final MainFactory mainFactory;
        private String host = "127.0.0.1";
        private int port;
        private String path = "/rpc";
        private SessionOptions sessionOptions = SessionOptions.defaults();
        private int maxMessageSize;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration pingInterval = Duration.ofSeconds(30);
        private int maxSessions = Integer.MAX_VALUE;
        private int maxConnections = Integer.MAX_VALUE;
        private Duration factoryTimeout = Duration.ofSeconds(30);
        private KeyManagerFactory tlsKeys;
        private TrustManagerFactory tlsClientTrust;
        private boolean tlsClientCertificatesRequired = true;
        private final Map<String, String> batchResponseHeaders = new LinkedHashMap<>();
        private String transport;

        private Builder(MainFactory mainFactory) {
            this.mainFactory = mainFactory;
        }

        /**
         * Sets the address to bind, e.g. {@code 0.0.0.0} for every interface.
         *
         * @param host the address or host name
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Sets the port; 0 (the default) picks a free one, see {@link RpcServer#port()}.
         *
         * @param port the port, 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the path of both endpoints.
         *
         * @param path an absolute path such as {@code /rpc}
         * @return this builder
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
            }
            this.path = path;
            return this;
        }

        /**
         * Sets the settings of each session.
         *
         * @param options the settings
         * @return this builder
         */
        public Builder sessionOptions(SessionOptions options) {
            this.sessionOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Sets the largest WebSocket frame or batch body accepted, in bytes.
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMessageSize must be positive, got " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Sets how long a connection may go without hearing from its peer before it is closed: a
         * WebSocket whose peer answers nothing, not even the server's pings, or one whose HTTP
         * batch is still being answered, whose batch then ends (default 5 minutes).
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sets how often the server pings each WebSocket peer (default 30 seconds; more often when
         * the idle timeout is shorter than twice that). Browsers and WebSocket libraries answer
         * pings by themselves, so a live peer's session stays open however long it is quiet, as a
         * session holding callbacks may be, and the pings keep proxies from dropping the
         * connection; a peer that answers nothing for the idle timeout is disconnected.
         * {@link Duration#ZERO} sends no pings: a WebSocket quiet for the idle timeout is closed.
         *
         * @param interval the time between pings, or zero for none
         * @return this builder
         */
        public Builder pingInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("pingInterval must not be negative, got " + interval);
            }
            this.pingInterval = interval;
            return this;
        }

        /**
         * Sets the most sessions served at once: open WebSocket sessions plus HTTP batches being
         * read or answered. A WebSocket upgrade or batch beyond it is answered 503 (Service
         * Unavailable) with a sentence saying so, before its main object is made or its body
         * buffered; a session that ends makes room for the next. No limit by default.
         *
         * <p>Each session may hold up to {@link #maxMessageSize(int)} bytes of an incoming message
         * and {@link SessionOptions#maxQueuedBytes()} of outgoing ones, so this bounds what peers
         * can make the server hold.
         *
         * @param sessions the limit, at least 1
         * @return this builder
         */
        public Builder maxSessions(int sessions) {
            if (sessions <= 0) {
                throw new IllegalArgumentException("maxSessions must be positive, got " + sessions);
            }
            this.maxSessions = sessions;
            return this;
        }

        /**
         * Sets how long the stage of an asynchronous main object factory
         * ({@link ServerOptions#builderWithRequestAsync}) may take. Past it the upgrade or batch is
         * refused with 503 ("The server could not start a Cap'n Web session in time; try again
         * later."), its place among {@link #maxSessions(int)} is given back, a warning is logged
         * at most once a minute, and a main object the stage makes later is closed if it is
         * {@link AutoCloseable}. 30 seconds by default; other factories are not timed.
         *
         * @param timeout the bound, positive
         * @return this builder
         */
        public Builder factoryTimeout(Duration timeout) {
            this.factoryTimeout = MainFactory.checkedTimeout(timeout);
            return this;
        }

        /**
         * Sets the most connections the server keeps open at once: WebSocket connections, HTTP
         * connections kept alive between batches, and connections still sending a request's head
         * or body. Each costs a file descriptor and buffers whatever it carries, so a server open
         * to untrusted peers should bound them; {@link #maxSessions(int)} bounds only the sessions
         * they start. No limit by default.
         *
         * <p>What a connection beyond the limit meets depends on the transport. Jetty stops
         * accepting until one closes (the operating system queues new connections, up to its
         * backlog); Vert.x accepts it and closes it at once. Either way the server logs a warning
         * at most once a minute while it is at the limit. Applies to the servers a transport starts
         * ({@code CapnWeb.serve}, {@code CapnWebVertx.serve}); a handler mounted in a server of
         * one's own is bounded by that server.
         *
         * @param connections the limit, at least 1
         * @return this builder
         */
        public Builder maxConnections(int connections) {
            if (connections <= 0) {
                throw new IllegalArgumentException("maxConnections must be positive, got " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /**
         * Serves over TLS ({@code https:} and {@code wss:}) with the certificate chain and private
         * key in {@code keyStore}, for example a PKCS12 file:
         *
         * <pre>{@code
         * char[] password = ...;
         * builder.tls(KeyStore.getInstance(new File("server.p12"), password), password);
         * }</pre>
         *
         * @param keyStore a key store holding the server's private key and certificate chain
         * @param password the password of the key
         * @return this builder
         * @throws IllegalArgumentException if the key store holds no private key, or the password
         *     does not open it
         */
        public Builder tls(KeyStore keyStore, char[] password) {
            return tls(KeyStores.keys(keyStore, password, "server's"));
        }

        /**
         * Serves over TLS ({@code https:} and {@code wss:}) with the keys of an initialized
         * {@link KeyManagerFactory}, for keys kept elsewhere than a key store file.
         *
         * @param keys the server's key managers
         * @return this builder
         */
        public Builder tls(KeyManagerFactory keys) {
            this.tlsKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * Requires each client to present a certificate that {@code certificates} vouch for
         * (mutual TLS): the certificates themselves, or the authority that issued them. The TLS
         * handshake of any other client fails, before any HTTP request is read. A main object
         * factory built with {@link ServerOptions#builderWithRequest} sees the client's
         * certificate in {@link SessionRequest#peerCertificates()}. Needs {@link #tls}.
         * {@link #tlsClientCertificatesOptional()} asks for the certificate without requiring it.
         *
         * @param certificates a key store of trusted certificates, e.g. a PKCS12 file made with
         *     {@code keytool -importcert}
         * @return this builder
         * @throws IllegalArgumentException if the key store holds no certificate or cannot be read
         */
        public Builder tlsClientTrust(KeyStore certificates) {
            return tlsClientTrust(KeyStores.trust(certificates, "the clients' certificates or their authority's"));
        }

        /**
         * Requires each client to present a certificate that an initialized
         * {@link TrustManagerFactory} trusts (mutual TLS); see {@link #tlsClientTrust(KeyStore)}.
         *
         * @param trust the trust managers that check the clients' certificates
         * @return this builder
         */
        public Builder tlsClientTrust(TrustManagerFactory trust) {
            this.tlsClientTrust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        /**
         * Asks clients for a certificate that {@link #tlsClientTrust} vouches for, without
         * requiring one: a client that presents none (a browser, say, on a port that services
         * with certificates share) is let in, and its {@link SessionRequest#peerCertificates()}
         * is empty, so that a main object factory decides what it may do. A client offers only a
         * certificate issued by an authority the server names, so one with another certificate
         * is let in without it.
         *
         * @return this builder
         */
        public Builder tlsClientCertificatesOptional() {
            this.tlsClientCertificatesRequired = false;
            return this;
        }

        /**
         * Adds a header to every batch response, e.g. {@code Access-Control-Allow-Origin}.
         *
         * @param name the header name
         * @param value the value, one line of Latin-1 text
         * @return this builder
         * @throws IllegalArgumentException if the name is not an HTTP token, the value holds a
         *     line break or another control character, or the header is one the transport writes
         *     itself (Content-Length, Transfer-Encoding, Connection, Upgrade, Host, Expect and the
         *     other hop-by-hop headers, and Sec-WebSocket-*)
         */
        public Builder batchResponseHeader(String name, String value) {
            HeaderRules.check("ServerOptions.batchResponseHeader", name, value);
            batchResponseHeaders.put(name, value);
            return this;
        }

        /**
         * Asks for a transport by name instead of the one discovery prefers.
         *
         * @param name the provider name, e.g. {@code "jetty"}
         * @return this builder
         */
        public Builder transport(String name) {
            this.transport = Objects.requireNonNull(name, "name");
            return this;
        }

        /** @return the options */
        public ServerOptions build() {
            if (!tlsClientCertificatesRequired && tlsClientTrust == null) {
                throw new IllegalStateException("ServerOptions.tlsClientCertificatesOptional needs tlsClientTrust(...):"
                        + " the certificates to ask clients for.");
            }
            if (tlsClientTrust != null && tlsKeys == null) {
                throw new IllegalStateException("ServerOptions.tlsClientTrust needs TLS: give the server its own key "
                        + "and certificate with tls(...) too.");
            }
            return new ServerOptions(this);
        }
    }
}
