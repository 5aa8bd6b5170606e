package capnweb.transport.vertx;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads this transport runs work on that must leave the event loop: completing a client's
 * connect futures (whose continuations are the application's), and making a session or
 * serving a batch when there is no Vert.x context to run it on.
 *
 * <p>Not the common {@code ForkJoinPool}: an application may fill it with work that blocks (on a
 * 2-core machine it has one thread), and a connect that waited for it would then never complete.
 * Cached and daemon: idle threads end after a minute and never keep the JVM alive.
 */
final class TransportThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();

    static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "capnweb-vertx-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private TransportThreads() {
    }
}
