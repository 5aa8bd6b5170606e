package capnweb.transport.jetty;

import capnweb.api.ClientOptions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * factory in use, stopped when the last session using it closes. Their threads are daemons, so
 * they never keep the JVM alive, and Jetty stops them at shutdown.
 */
final class JettyClients {
    private static final System.Logger LOG = System.getLogger(JettyClients.class.getName());
    /** The clients of each trust in use; guarded by itself, as is each one's user count. */
    private static final Map<TrustManagerFactory, JettyClients> BY_TRUST = new HashMap<>();

    final HttpClient http;
    final WebSocketClient webSocket;
    private final TrustManagerFactory trust;
    private int users;

    private JettyClients(HttpClient http, WebSocketClient webSocket, TrustManagerFactory trust) {
        this.http = http;
        this.webSocket = webSocket;
        this.trust = trust;
    }

    /**
     * The clients that trust what {@code options} asks for, for one more session.
     *
     * @return the clients, and what to run (any number of times) once the session no longer
     *     needs them
     */
    static Use use(ClientOptions options) {
        TrustManagerFactory trust = options.tlsTrust().orElse(null);
        if (trust == null) {
            return new Use(Holder.SHARED, () -> { });
        }
        JettyClients clients;
        synchronized (BY_TRUST) {
            clients = BY_TRUST.computeIfAbsent(trust, JettyClients::trusting);
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
        synchronized (BY_TRUST) {
            if (--users > 0) {
                return;
            }
            BY_TRUST.remove(trust);
        }
        // Not on this thread: it may be one of the very clients' threads.
        Thread stopper = new Thread(() -> {
            try {
                webSocket.stop();
                http.stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "A Jetty client with its own TLS trust did not stop cleanly", e);
            }
        }, "capnweb-jetty-client-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    private static JettyClients trusting(TrustManagerFactory trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            SslContextFactory.Client tls = new SslContextFactory.Client();
            tls.setSslContext(context);
            // The host name is still checked against the certificate, as with the default trust.
            tls.setEndpointIdentificationAlgorithm("HTTPS");
            return start(tls, "capnweb-jetty-client-tls", trust);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not set up TLS with the trust of ClientOptions.tlsTrust: "
                    + e.getMessage(), e);
        }
    }

    private static JettyClients start(SslContextFactory.Client tls, String name, TrustManagerFactory trust) {
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
        return new JettyClients(http, ws, trust);
    }

    private static final class Holder {
        static final JettyClients SHARED = start(null, "capnweb-jetty-client", null);
    }
}
