package capnweb.transport.jetty;

import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The HTTP and WebSocket clients every client session of this JVM shares, started at first use.
 * Their threads are daemons, so they never keep the JVM alive, and Jetty stops them at shutdown.
 */
final class JettyClients {
    private JettyClients() {
    }

    static HttpClient http() {
        return Holder.HTTP;
    }

    static WebSocketClient webSocket() {
        return Holder.WEB_SOCKET;
    }

    private static final class Holder {
        static final HttpClient HTTP;
        static final WebSocketClient WEB_SOCKET;

        static {
            QueuedThreadPool threads = new QueuedThreadPool();
            threads.setName("capnweb-jetty-client");
            threads.setDaemon(true);
            HttpClient http = new HttpClient();
            http.setExecutor(threads);
            http.setScheduler(new ScheduledExecutorScheduler("capnweb-jetty-client-scheduler", true));
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
            HTTP = http;
            WEB_SOCKET = ws;
        }
    }
}
