package capnweb.transport.vertx;

import java.util.concurrent.Executor;

/**
 * The executor of one HTTP batch session: runs the session's work on the worker thread that
 * serves the batch while that thread is running it, and on {@code elsewhere} once it has let go
 * (work that arrives later, e.g. when a target's completion stage completes on another thread).
 *
 * <p>A batch is usually done before the worker returns: its messages are handled and its results
 * pulled on the worker, which may block. Handing the session on to the engine's own threads
 * would cost one more thread wake-up per batch, a good part of the CPU time of a small one.
 */
final class WorkerThreadExecutor implements Executor {
    private final Executor elsewhere;
    private volatile Thread owner = Thread.currentThread();

    WorkerThreadExecutor(Executor elsewhere) {
        this.elsewhere = elsewhere;
    }

    @Override
    public void execute(Runnable task) {
        if (owner == Thread.currentThread()) {
            task.run();
        } else {
            elsewhere.execute(task);
        }
    }

    /** The worker is done with the batch; later work goes elsewhere. */
    void release() {
        owner = null;
    }
}
