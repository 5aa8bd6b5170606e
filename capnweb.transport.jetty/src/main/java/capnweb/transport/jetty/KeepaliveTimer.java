package capnweb.transport.jetty;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The one thread that pings the WebSocket peers of every server and client of this JVM; a daemon. */
final class KeepaliveTimer {
    static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, task -> {
        Thread t = new Thread(task, "capnweb-jetty-keepalive");
        t.setDaemon(true);
        return t;
    });

    static {
        // Sessions that end cancel their task; a cancelled task should not wait in the queue.
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private KeepaliveTimer() {
    }
}
