package capnweb.transport.jetty;

import capnweb.api.ClientOptions;
import capnweb.api.spi.ProxyRoute;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.client.BasicAuthentication;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.ProxyConfiguration;
import org.eclipse.jetty.client.Socks5;
import org.eclipse.jetty.client.Socks5Proxy;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The HTTP and WebSocket clients the client sessions of this JVM share: one pair for the JVM's
 * trust store without a proxy, started at first use and kept; and one for each
 * {@link ClientOptions#tlsTrust()}, {@link ClientOptions#tlsKeys()} and proxy in use, stopped
 * when the last session using it closes.
 * Their threads are daemons, so they never keep the JVM alive, and Jetty stops them at shutdown.
 */
final class JettyClients {
    private static final System.Logger LOG = System.getLogger(JettyClients.class.getName());
    /** The clients of each setup in use; guarded by itself, as is each one's user count. */
    private static final Map<Setup, JettyClients> BY_SETUP = new HashMap<>();

    final HttpClient http;
    final WebSocketClient webSocket;
    private final Setup setup;
    private int users;

    /**
     * A client's own setup: whom it trusts (null for the JVM's trust), its keys (null for none)
     * and its proxy (null for none).
     */
    private record Setup(TrustManagerFactory trust, KeyManagerFactory keys, ProxyRoute proxy) {
    }

    private JettyClients(HttpClient http, WebSocketClient webSocket, Setup setup) {
        this.http = http;
        this.webSocket = webSocket;
        this.setup = setup;
    }

    /**
     * The clients that trust what {@code options} asks for, and go through the proxy it names for
     * {@code server}, for one more session.
     *
     * @return the clients, and what to run (any number of times) once the session no longer
     *     needs them
     * @throws IllegalArgumentException if the proxy selector fails (see {@link ProxyRoute#of})
     */
    static Use use(ClientOptions options, URI server) {
        ProxyRoute proxy = ProxyRoute.of(options, server).orElse(null);
        if (options.tlsTrust().isEmpty() && options.tlsKeys().isEmpty() && proxy == null) {
            return new Use(Holder.SHARED, () -> { });
        }
        Setup setup = new Setup(options.tlsTrust().orElse(null), options.tlsKeys().orElse(null), proxy);
        JettyClients clients;
        synchronized (BY_SETUP) {
            clients = BY_SETUP.computeIfAbsent(setup, JettyClients::withSetup);
            clients.users++;
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Use(clients, () -> {
            if (released.compareAndSet(false, true)) {
                clients.release();
            }
        });
    }

    /** @return the proxy these clients go through, or null */
    ProxyRoute proxy() {
        return setup == null ? null : setup.proxy();
    }

    /** Clients for one session, and how to let go of them. */
    record Use(JettyClients clients, Runnable release) {
    }

    private void release() {
        synchronized (BY_SETUP) {
            if (--users > 0) {
                return;
            }
            BY_SETUP.remove(setup);
        }
        // Not on this thread: it may be one of the very clients' threads.
        Thread stopper = new Thread(() -> {
            try {
                webSocket.stop();
                http.stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "A Jetty client with its own TLS or proxy setup did not stop cleanly", e);
            }
        }, "capnweb-jetty-client-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    private static JettyClients withSetup(Setup setup) {
        if (setup.trust() == null && setup.keys() == null) {
            return start(null, "capnweb-jetty-client-proxy", setup);
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // A null part stands for the JVM's default: its trust store, or no key.
            context.init(setup.keys() == null ? null : setup.keys().getKeyManagers(),
                    setup.trust() == null ? null : setup.trust().getTrustManagers(), null);
            SslContextFactory.Client tls = new SslContextFactory.Client();
            tls.setSslContext(context);
            // The host name is still checked against the certificate, as with the default trust.
            tls.setEndpointIdentificationAlgorithm("HTTPS");
            return start(tls, "capnweb-jetty-client-tls", setup);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not set up TLS with ClientOptions.tlsTrust and tlsKeys: "
                    + e.getMessage(), e);
        }
    }

    /** Sends every connection of {@code http} through {@code route}. */
    private static void goThrough(HttpClient http, ProxyRoute route) {
        Origin.Address address = new Origin.Address(route.host(), route.port());
        String username = route.username().orElse(null);
        String password = route.password().map(String::new).orElse(null);
        ProxyConfiguration.Proxy proxy;
        if (route.kind() == ProxyRoute.Kind.SOCKS5) {
            Socks5Proxy socks = new Socks5Proxy(address, false);
            if (username != null) {
                socks.putAuthenticationFactory(new Socks5.UsernamePasswordAuthenticationFactory(username, password));
            }
            proxy = socks;
        } else {
            proxy = new HttpProxy(address, false) {
                @Override
                public boolean requiresTunnel(Origin server) {
                    // A WebSocket goes through a tunnel, as browsers send it: a proxy that forwards
                    // plain requests may not forward an upgrade.
                    return super.requiresTunnel(server) || isWebSocket(server.getScheme());
                }
            };
            if (username != null) {
                // Sent with every request and CONNECT to the proxy from the first, as the Vert.x
                // transport sends them, rather than after a 407 challenge costs a round trip.
                http.getAuthenticationStore().addAuthenticationResult(new BasicAuthentication.BasicResult(
                        proxy.getURI(), HttpHeader.PROXY_AUTHORIZATION, username, password));
            }
        }
        http.getProxyConfiguration().addProxy(proxy);
    }

    private static boolean isWebSocket(String scheme) {
        return "ws".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme);
    }

    private static JettyClients start(SslContextFactory.Client tls, String name, Setup setup) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        if (tls != null) {
            http.setSslContextFactory(tls);
        }
        if (setup != null && setup.proxy() != null) {
            goThrough(http, setup.proxy());
        }
        http.setExecutor(threads);
        http.setScheduler(new ScheduledExecutorScheduler(name + "-scheduler", true));
        // Redirects would turn a POST into a GET; a batch must reach the endpoint it names.
        http.setFollowRedirects(false);
        // A batch waits for every call in it; slow calls must not trip a short idle timeout.
        http.setIdleTimeout(Duration.ofMinutes(5).toMillis());
        // Only a backstop (Jetty's own is 5 s): each session's ClientOptions.connectTimeout
        // governs, with timers of its own (JettyTransportProvider).
        http.setConnectTimeout(Duration.ofMinutes(5).toMillis());
        WebSocketClient ws = new WebSocketClient(http);
        ws.setStopAtShutdown(true);
        // Jetty's WebSocket layer brings a thread pool of its own ("WebSocket@..."), whose
        // threads would keep the JVM alive; make every pool of the client tree daemon.
        for (QueuedThreadPool pool : ws.getContainedBeans(QueuedThreadPool.class)) {
            pool.setDaemon(true);
        }
        try {
            http.start();
            ws.start();
        } catch (Exception e) {
            throw new IllegalStateException("Could not start Jetty's HTTP client: " + e.getMessage(), e);
        }
        return new JettyClients(http, ws, setup);
    }

    private static final class Holder {
        static final JettyClients SHARED = start(null, "capnweb-jetty-client", null);
    }
}
