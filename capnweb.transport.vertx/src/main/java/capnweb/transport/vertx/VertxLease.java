package capnweb.transport.vertx;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import io.vertx.core.VertxOptions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A use of a {@link Vertx} instance: either the application's own (never closed here) or one this
 * transport made and closes when its last user is done.
 */
final class VertxLease {
    private static final System.Logger LOG = System.getLogger(VertxLease.class.getName());

    // The instance shared by clients that brought no Vertx of their own; guarded by VertxLease.class.
    private static Vertx shared;
    private static int sharedUsers;

    private final Vertx vertx;
    private final Supplier<Future<Void>> onRelease;
    private final AtomicBoolean released = new AtomicBoolean();

    private VertxLease(Vertx vertx, Supplier<Future<Void>> onRelease) {
        this.vertx = vertx;
        this.onRelease = onRelease;
    }

    /** The application's instance: releasing it does nothing. */
    static VertxLease borrowed(Vertx vertx) {
        return new VertxLease(vertx, Future::succeededFuture);
    }

    /**
     * A new instance for one server, closed on release. Its threads are not daemons: a running
     * server keeps the JVM alive, as servers do.
     */
    static VertxLease forServer() {
        Vertx v = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
        return new VertxLease(v, () -> closeQuietly(v));
    }

    /**
     * The instance shared by clients, made at the first use and closed when the last client
     * releases it. Its threads are daemons, so a client that was never closed does not keep the
     * JVM running.
     */
    static synchronized VertxLease forClient() {
        if (shared == null) {
            shared = Vertx.vertx(new VertxOptions().setUseDaemonThread(true)
                    .setEventLoopPoolSize(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))));
            sharedUsers = 0;
        }
        sharedUsers++;
        Vertx v = shared;
        return new VertxLease(v, () -> releaseShared(v));
    }

    private static Future<Void> releaseShared(Vertx v) {
        boolean close = false;
        synchronized (VertxLease.class) {
            if (shared == v && --sharedUsers == 0) {
                shared = null;
                close = true;
            }
        }
        return close ? closeQuietly(v) : Future.succeededFuture();
    }

    private static Future<Void> closeQuietly(Vertx v) {
        return v.close().onFailure(e -> LOG.log(System.Logger.Level.WARNING, "Vert.x did not close cleanly.", e));
    }

    Vertx vertx() {
        return vertx;
    }

    /**
     * Ends this use; the last use of a transport-made instance closes it. Idempotent.
     *
     * @return completes when the instance is closed, or at once if it stays open
     */
    Future<Void> release() {
        if (released.compareAndSet(false, true)) {
            return onRelease.get();
        }
        return Future.succeededFuture();
    }

    /** @return how many clients use the shared instance now */
    static synchronized int sharedUsers() {
        return sharedUsers;
    }
}
