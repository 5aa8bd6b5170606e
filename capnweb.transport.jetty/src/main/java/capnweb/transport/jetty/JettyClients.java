package capnweb.transport.jetty;

import capnweb.api.ClientOptions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The HTTP and WebSocket clients the client sessions of this JVM share: one pair for the JVM's
 * trust store, started at first use and kept; and one for each {@link ClientOptions#tlsTrust()}
 * and {@link ClientOptions#tlsKeys()} pair in use, stopped when the last session using it closes.
 * Their threads are daemons, so they never keep the JVM alive, and Jetty stops them at shutdown.
 */
final class JettyClients {
    private static final System.Logger LOG = System.getLogger(JettyClients.class.getName());
    /** The clients of each TLS setup in use; guarded by itself, as is each one's user count. */
    private static final Map<Tls, JettyClients> BY_TLS = new HashMap<>();

    final HttpClient http;
    final WebSocketClient webSocket;
    private final Tls tls;
    private int users;

    /** A client's own TLS setup: whom it trusts (null for the JVM's trust) and its keys (null for none). */
    private record Tls(TrustManagerFactory trust, KeyManagerFactory keys) {
    }

    private JettyClients(HttpClient http, WebSocketClient webSocket, Tls tls) {
        this.http = http;
        this.webSocket = webSocket;
        this.tls = tls;
    }

    /**
     * The clients that trust what {@code options} asks for, for one more session.
     *
     * @return the clients, and what to run (any number of times) once the session no longer
     *     needs them
     */
    static Use use(ClientOptions options) {
        if (options.tlsTrust().isEmpty() && options.tlsKeys().isEmpty()) {
            return new Use(Holder.SHARED, () -> { });
        }
        Tls tls = new Tls(options.tlsTrust().orElse(null), options.tlsKeys().orElse(null));
        JettyClients clients;
        synchronized (BY_TLS) {
            clients = BY_TLS.computeIfAbsent(tls, JettyClients::withTls);
            clients.users++;
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Use(clients, () -> {
            if (released.compareAndSet(false, true)) {
                clients.release();
            }
        });
    }

    /** Clients for one session, and how to let go of them. */
    record Use(JettyClients clients, Runnable release) {
    }

    private void release() {
        synchronized (BY_TLS) {
            if (--users > 0) {
                return;
            }
            BY_TLS.remove(tls);
        }
        // Not on this thread: it may be one of the very clients' threads.
        Thread stopper = new Thread(() -> {
            try {
                webSocket.stop();
                http.stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "A Jetty client with its own TLS setup did not stop cleanly", e);
            }
        }, "capnweb-jetty-client-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    private static JettyClients withTls(Tls setup) {
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

    private static JettyClients start(SslContextFactory.Client tls, String name, Tls setup) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        if (tls != null) {
            http.setSslContextFactory(tls);
        }
        http.setExecutor(threads);
        http.setScheduler(new ScheduledExecutorScheduler(name + "-scheduler", true));
        // Redirects would turn a POST into a GET; a batch must reach the endpoint it names.
        http.setFollowRedirects(false);
        // A batch waits for every call in it; slow calls must not trip a short idle timeout.
        http.setIdleTimeout(Duration.ofMinutes(5).toMillis());
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
