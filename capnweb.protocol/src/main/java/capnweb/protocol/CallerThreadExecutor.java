package capnweb.protocol;

import java.util.concurrent.Executor;

/**
 * The executor of one served HTTP batch: runs the session's work on the thread that hands the
 * batch to the engine while that thread is serving it, and on {@code elsewhere} once it has let
 * go (work that arrives later, e.g. when a target's completion stage completes on another thread).
 *
 * <p>A batch is usually done before the serving thread returns: its messages are handled and its
 * results pulled there. Handing the session to another thread instead would cost a wake-up for the
 * session and, on Jetty, another to resume the connection after a response completed elsewhere:
 * most of the CPU time of a small batch.
 */
final class CallerThreadExecutor implements Executor {
    private final Executor elsewhere;
    private volatile Thread owner = Thread.currentThread();

    CallerThreadExecutor(Executor elsewhere) {
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

    /** The serving thread is done with the batch; later work goes elsewhere. */
    void release() {
        owner = null;
    }
}
