package capnweb.transport.jetty;

import java.util.concurrent.Executor;

/**
 * The executor of one HTTP batch session: runs the session's work on the thread that serves the
 * request while that thread is running the batch, and on {@code elsewhere} once it has let go
 * (work that arrives later, e.g. when a target's completion stage completes on another thread).
 *
 * <p>A batch is usually done before the handler returns: its messages are handled, its results
 * pulled and its response written on the request's own thread. Handing the session to another
 * pool instead would cost a thread wake-up for the session and another for Jetty to resume the
 * connection after a response completed off the request thread, which is most of the CPU time
 * of a small batch. The request thread may block (the handler is a blocking handler), so target
 * methods may run on it, as servlets do on Jetty's pool.
 */
final class RequestThreadExecutor implements Executor {
    private final Executor elsewhere;
    private volatile Thread owner = Thread.currentThread();

    RequestThreadExecutor(Executor elsewhere) {
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

    /** The request thread is done with the batch; later work goes elsewhere. */
    void release() {
        owner = null;
    }
}
