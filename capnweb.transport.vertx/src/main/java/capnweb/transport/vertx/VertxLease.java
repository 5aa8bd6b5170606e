package capnweb.transport.vertx;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A use of a {@link Vertx} instance: either the application's own (never closed here) or one this
 * transport made and closes when its last user is done.
 */
final class VertxLease {
    private static final System.Logger LOG = System.getLogger(VertxLease.class.getName());

    /**
     * How long the shared client instance outlives its last user: a program that opens a batch
     * session per call would otherwise start and stop an instance, its threads and its
     * connections each time.
     */
    static final long SHARED_GRACE_MILLIS = 2_000;
    /**
     * How long a batch connection may stay idle before the client closes it: long enough to carry
     * a run of batches, short enough to be gone before a server's idle timeout closes it under a
     * request.
     */
    static final int BATCH_KEEP_ALIVE_SECONDS = 5;
    /** Batch requests to one server that may be in flight at once, each on its own connection. */
    static final int BATCH_CONNECTIONS_PER_SERVER = 64;

    // The instance shared by clients that brought no Vertx of their own, and its HTTP client for
    // batches; guarded by VertxLease.class.
    private static Vertx shared;
    private static HttpClientAgent sharedHttp;
    private static int sharedUsers;

    private final Vertx vertx;
    private final boolean isShared;
    private final Supplier<Future<Void>> onRelease;
    private final AtomicBoolean released = new AtomicBoolean();
    // The batch client of a lease on an instance that is not the shared one; guarded by this.
    private HttpClientAgent ownHttp;

    private VertxLease(Vertx vertx, boolean isShared, Supplier<Future<Void>> onRelease) {
        this.vertx = vertx;
        this.isShared = isShared;
        this.onRelease = onRelease;
    }

    /** The application's instance: releasing it does nothing. */
    static VertxLease borrowed(Vertx vertx) {
        return new VertxLease(vertx, false, Future::succeededFuture);
    }

    /**
     * A new instance for one server, closed on release. Its threads are not daemons: a running
     * server keeps the JVM alive, as servers do.
     */
    static VertxLease forServer() {
        Vertx v = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
        return new VertxLease(v, false, () -> closeQuietly(v));
    }

    /**
     * The instance shared by clients, made at the first use and closed {@link #SHARED_GRACE_MILLIS}
     * after the last client released it, unless another came meanwhile. Its threads are daemons,
     * so a client that was never closed does not keep the JVM running.
     */
    static synchronized VertxLease forClient() {
        if (shared == null) {
            shared = Vertx.vertx(new VertxOptions().setUseDaemonThread(true)
                    .setEventLoopPoolSize(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))));
            sharedUsers = 0;
        }
        sharedUsers++;
        Vertx v = shared;
        return new VertxLease(v, true, () -> releaseShared(v));
    }

    private static Future<Void> releaseShared(Vertx v) {
        synchronized (VertxLease.class) {
            if (shared == v && --sharedUsers == 0) {
                v.setTimer(SHARED_GRACE_MILLIS, id -> closeSharedIfUnused(v));
            }
        }
        return Future.succeededFuture();
    }

    private static void closeSharedIfUnused(Vertx v) {
        HttpClientAgent http;
        synchronized (VertxLease.class) {
            if (shared != v || sharedUsers != 0) {
                return;
            }
            shared = null;
            http = sharedHttp;
            sharedHttp = null;
        }
        if (http != null) {
            http.close();
        }
        closeQuietly(v);
    }

    /**
     * The HTTP client for batch requests: one per shared instance, kept alive with it, so that
     * batch sessions reuse connections; for any other instance, one per lease, closed on release.
     */
    HttpClientAgent batchHttpClient() {
        if (isShared) {
            synchronized (VertxLease.class) {
                if (shared == vertx) {
                    if (sharedHttp == null) {
                        sharedHttp = newBatchHttpClient(vertx);
                    }
                    return sharedHttp;
                }
            }
        }
        synchronized (this) {
            if (ownHttp == null) {
                ownHttp = newBatchHttpClient(vertx);
            }
            return ownHttp;
        }
    }

    private static HttpClientAgent newBatchHttpClient(Vertx vertx) {
        return vertx.createHttpClient(new HttpClientOptions()
                .setKeepAliveTimeout(BATCH_KEEP_ALIVE_SECONDS)
                .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(BATCH_CONNECTIONS_PER_SERVER));
    }

    /** @return the shared client instance, or null while there is none (for tests) */
    static synchronized Vertx sharedInstance() {
        return shared;
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
            HttpClientAgent http;
            synchronized (this) {
                http = ownHttp;
                ownHttp = null;
            }
            if (http != null) {
                http.close();
            }
            return onRelease.get();
        }
        return Future.succeededFuture();
    }

    /** @return how many clients use the shared instance now */
    static synchronized int sharedUsers() {
        return sharedUsers;
    }
}
