package capnweb.transport.jetty;

import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.api.spi.OccasionalWarning;
import capnweb.api.spi.RpcEngine;
import capnweb.api.spi.TransportText;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A Jetty server with one {@link CapnWebHandler} at the options' path. */
final class JettyRpcServer implements RpcServer {
    private static final System.Logger LOG = System.getLogger(JettyRpcServer.class.getName());
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Server server;
    private final CapnWebHandler handler;
    private final ServerConnector connector;
    private final String host;
    private final String path;
    private final String scheme;
    private final TrustManagerFactory clientTrust;
    private final Object closeLock = new Object();
    private Boolean closedCleanly;
    /** Set once close() begins: from then on there is nothing left to update keys for. */
    private volatile boolean closing;

    private JettyRpcServer(Server server, ServerConnector connector, CapnWebHandler handler, ServerOptions options) {
        this.server = server;
        this.connector = connector;
        this.handler = handler;
        this.host = options.host();
        this.path = options.path();
        this.scheme = options.tlsKeys().isPresent() ? "https" : "http";
        this.clientTrust = options.tlsClientTrust().orElse(null);
    }

    private static SslContextFactory.Server tls(KeyManagerFactory keys, TrustManagerFactory clientTrust,
            boolean clientCertificatesRequired) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(sslContext(keys, clientTrust));
        if (clientTrust != null) {
            if (clientCertificatesRequired) {
                tls.setNeedClientAuth(true);
            } else {
                tls.setWantClientAuth(true);
            }
        }
        return tls;
    }

    private static SSLContext sslContext(KeyManagerFactory keys, TrustManagerFactory clientTrust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), clientTrust == null ? null : clientTrust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not set up TLS with these keys: " + e.getMessage(), e);
        }
    }

    static JettyRpcServer start(ServerOptions options, RpcEngine engine) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(engine, "engine");
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("capnweb-jetty-server");
        Server server = new Server(threads);
        ServerConnector connector = options.tlsKeys()
                .map(keys -> new ServerConnector(server, tls(keys, options.tlsClientTrust().orElse(null),
                        options.tlsClientCertificatesRequired())))
                .orElseGet(() -> new ServerConnector(server));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        for (ConnectionFactory factory : connector.getConnectionFactories()) {
            if (factory instanceof HttpConfiguration.ConnectionFactory http) {
                // No "Server: Jetty(version)" on every answer: what runs is nobody's business.
                http.getHttpConfiguration().setSendServerVersion(false);
            }
        }
        server.addConnector(connector);
        server.setErrorHandler(new PlainTextErrors(options.path()));
        if (options.maxConnections() != Integer.MAX_VALUE) {
            server.addBean(new WarnedConnectionLimit(options.maxConnections(), connector));
        }
        CapnWebHandler handler = CapnWebHandler.of(options, engine);
        server.setHandler(handler);
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("Could not start the Cap'n Web server on " + options.host() + ":"
                    + options.port() + ": " + e.getMessage(), e);
        }
        JettyRpcServer s = new JettyRpcServer(server, connector, handler, options);
        LOG.log(System.Logger.Level.DEBUG, () -> "Cap'n Web server listening at " + s.uri());
        return s;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public URI uri() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + h + ":" + port() + path);
    }

    @Override
    public String transport() {
        return JettyTransportProvider.NAME;
    }

    @Override
    public int openSessions() {
        return handler.openSessions();
    }

    @Override
    public CompletionStage<Void> updateTlsKeys(KeyManagerFactory keys) {
        Objects.requireNonNull(keys, "keys");
        SslConnectionFactory tls = connector.getConnectionFactory(SslConnectionFactory.class);
        if (tls == null) {
            throw new IllegalStateException("This server does not serve TLS; start it with ServerOptions.tls(...) "
                    + "to serve, and then update, a key.");
        }
        if (closing) {
            return CompletableFuture.failedFuture(new IllegalStateException(TransportText.CLOSED_SERVER_KEYS));
        }
        try {
            SSLContext context = sslContext(keys, clientTrust);
            tls.getSslContextFactory().reload(factory -> factory.setSslContext(context));
            return CompletableFuture.completedFuture(null);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new IllegalStateException("Could not update the server's TLS keys: "
                    + e.getMessage(), e));
        }
    }

    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    @Override
    public boolean close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (closeLock) {
            if (closedCleanly != null) {
                return closedCleanly;
            }
            closing = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean clean = handler.closeSessions(timeout);
            try {
                long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                server.setStopTimeout(Math.max(1, left));
                server.stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "The Cap'n Web server did not stop cleanly", e);
                clean = false;
            }
            closedCleanly = clean;
            return clean;
        }
    }

    @Override
    public String toString() {
        return "Cap'n Web server (jetty) at " + uri();
    }

    /**
     * Jetty's limit, which stops accepting while the connector has {@code max} connections,
     * with a warning at most once a minute when it does: a server at its limit looks like a slow
     * one from outside.
     */
    private static final class WarnedConnectionLimit extends NetworkConnectionLimit {
        private final OccasionalWarning full;

        WarnedConnectionLimit(int max, ServerConnector connector) {
            super(max, connector);
            this.full = new OccasionalWarning(LOG, count -> "This Cap'n Web server reached its limit of " + max
                    + " connections, set by ServerOptions.maxConnections, " + count + (count == 1 ? " time" : " times")
                    + " since the last such warning, and accepts no more while it is there. Raise it if the server "
                    + "has room for more.");
        }

        @Override
        protected void limit() {
            super.limit();
            full.happened();
        }
    }
}
