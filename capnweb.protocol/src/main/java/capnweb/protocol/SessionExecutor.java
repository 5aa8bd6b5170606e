package capnweb.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a session's work one task at a time, in submission order, on an underlying executor:
 * the confinement that lets the session's tables go without locks.
 *
 * <p>It mirrors JavaScript's event loop: {@link #execute} queues a "macrotask" (an arriving
 * message, a call from an application thread, a completion from another thread) and may be
 * called from any thread; {@link #microtask} queues follow-up work of the running task, which
 * all runs before the next macrotask, like promise reactions in the reference implementation.
 * The ordering guarantees of the protocol (E-order) rely on this.
 */
final class SessionExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(SessionExecutor.class.getName());
    private static final ThreadLocal<SessionExecutor> CURRENT = new ThreadLocal<>();

    /** Errors that escaped a task: each one is a bug, counted so that tests can assert there were none. */
    static final java.util.concurrent.atomic.AtomicLong ESCAPED = new java.util.concurrent.atomic.AtomicLong();

    private final Executor base;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    // Small: a turn queues a few microtasks, and the default size allocates 17 slots per session.
    private final ArrayDeque<Runnable> microtasks = new ArrayDeque<>(4);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** {@link #drain}, made once: a session is scheduled once per burst of messages. */
    private final Runnable drainTask = () -> drain(null);
    /** Whether the underlying executor runs each task on the calling thread ({@code directExecutor()}). */
    private final boolean runsOnCaller;
    /** Writes what the session sent and the transport may hold: after each turn, before application code. */
    private Runnable flush = () -> { };
    /** How deep this thread is in application code called from a task; executor thread only. */
    private int applicationDepth;
    private boolean applicationMayBlock = true;
    /** Whether {@link #drain} runs on the engine's own pool, whose threads may run application callbacks. */
    private final boolean drainsOnEnginePool;
    /** True while a drain on the engine's pool runs: deliveries wait for the end of the turn. */
    private boolean collectingDeliveries;
    /** Deliveries queued by the running drain; executor thread only. */
    private ArrayList<Runnable> deliveries;

    SessionExecutor(Executor base) {
        this(base, false);
    }

    /**
     * @param runsOnCaller whether {@code base} runs each task on the calling thread at once, so that
     *     an idle session may run a task without queuing it first
     */
    SessionExecutor(Executor base, boolean runsOnCaller) {
        this.base = base;
        this.runsOnCaller = runsOnCaller;
        this.drainsOnEnginePool = base == EnginePools.SHARED;
    }

    /**
     * Completes an application's future, which runs its callbacks: never on the session's own
     * thread while the session runs. From a drain on the engine's pool it waits for the end of
     * the turn and then runs on the same thread, which has left the session by then (no wake-up
     * of a delivery thread); from anywhere else it goes to the delivery pool.
     */
    void deliver(Runnable delivery) {
        if (inExecutor() && collectingDeliveries) {
            if (deliveries == null) {
                deliveries = new ArrayList<>();
            }
            deliveries.add(delivery);
        } else {
            EnginePools.DELIVERY.execute(delivery);
        }
    }

    /**
     * Sets what writes the session's sent messages: run at the end of each turn (a drain, or the
     * lent task of {@link #executeHere}) and before application code, so that the messages of a
     * turn can travel together.
     */
    void flushWith(Runnable hook) {
        this.flush = hook;
    }

    /**
     * Whether application code called from this executor's tasks may block, so that what it
     * sends must be written at once; false when the application promised it never blocks.
     */
    void applicationMayBlock(boolean mayBlock) {
        this.applicationMayBlock = mayBlock;
    }

    /** @return whether application code called from this executor's running task is on the stack */
    boolean inApplicationCode() {
        return applicationDepth > 0;
    }

    /**
     * Marks the start of application code (a target method, getter or close) called from a
     * session task on this thread, if any: what the session has sent so far is written first,
     * and what the application sends until {@link #leaveApplicationCode} is written at once,
     * since the application may block, which must not hold back messages. Does nothing for a
     * session whose application never blocks.
     *
     * @return the executor to hand to {@link #leaveApplicationCode}, null if there is nothing to undo
     */
    static SessionExecutor enterApplicationCode() {
        SessionExecutor running = CURRENT.get();
        if (running == null || !running.applicationMayBlock) {
            return null;
        }
        runGuarded(running.flush);
        running.applicationDepth++;
        return running;
    }

    /** @param running what {@link #enterApplicationCode} returned */
    static void leaveApplicationCode(SessionExecutor running) {
        if (running != null) {
            running.applicationDepth--;
        }
    }

    /** @return the executor whose task is running on this thread, or null */
    static SessionExecutor current() {
        return CURRENT.get();
    }

    /** @return whether the calling thread is running one of this executor's tasks */
    boolean inExecutor() {
        return CURRENT.get() == this;
    }

    @Override
    public void execute(Runnable task) {
        // Idle, on an executor that would run the drain right here: run the task as the drain's
        // first, without queuing it. Nothing queued earlier is overtaken: the queue is empty, and
        // a task queued meanwhile by another thread was not ordered before this one.
        if (runsOnCaller && tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            drain(task);
            return;
        }
        tasks.add(task);
        schedule();
    }

    /**
     * Queues work that runs after the current task and before the next one. Must be called from
     * this executor's own thread.
     */
    void microtask(Runnable task) {
        if (!inExecutor()) {
            // Off the executor there is no running task to follow; a plain task is the same.
            execute(task);
            return;
        }
        microtasks.add(task);
    }

    /**
     * Like {@link #execute}, but when the session is idle runs {@code task} (and the microtasks it
     * queues) on the calling thread at once instead of waking a pool thread: one thread hand-off
     * less per message or call. Only for threads that may run session work, and so target
     * methods: application threads, and transport threads that may block. Anything queued behind
     * the task goes to the underlying executor, so the caller's thread is lent for one task only.
     */
    void executeHere(Runnable task) {
        tasks.add(task);
        // Never nested inside another session's task: that one's thread is not ours to lend.
        if (CURRENT.get() != null || !scheduled.compareAndSet(false, true)) {
            schedule();
            return;
        }
        CURRENT.set(this);
        try {
            // Tasks queued ahead of ours in the moment before it won the session run first, in order.
            Runnable next;
            while ((next = tasks.poll()) != null) {
                runWithMicrotasks(next);
                if (next == task) {
                    break;
                }
            }
            runGuarded(flush);
        } finally {
            // set(null), not remove(): removing clears the thread-local's weak entry, a native
            // call, and the next task on this thread would allocate a new one.
            CURRENT.set(null);
            scheduled.set(false);
        }
        if (!tasks.isEmpty()) {
            schedule();
        }
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                base.execute(drainTask);
            } catch (RuntimeException e) {
                // Never thrown at the caller, often a transport's I/O thread: the session simply
                // cannot go on, which the log says.
                scheduled.set(false);
                LOG.log(System.Logger.Level.WARNING, "The executor given in SessionOptions refused the session's "
                        + "work (is it shut down?); the session cannot continue.", e);
            }
        }
    }

    /** @param first a task to run before the queued ones, or null; the caller holds {@code scheduled} */
    private void drain(Runnable first) {
        SessionExecutor previous = CURRENT.get();
        CURRENT.set(this);
        collectingDeliveries = drainsOnEnginePool;
        ArrayList<Runnable> delivered = null;
        try {
            int ran = 0;
            if (first != null) {
                runWithMicrotasks(first);
                ran = 1;
            }
            // Bound the work per turn so that one busy session cannot monopolise a pool thread.
            for (; ran < 256; ran++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                runWithMicrotasks(task);
            }
            runGuarded(flush);
        } finally {
            collectingDeliveries = false;
            delivered = deliveries;
            deliveries = null;
            CURRENT.set(previous);
            scheduled.set(false);
        }
        if (!tasks.isEmpty()) {
            schedule();
        }
        if (delivered != null) {
            runDeliveries(delivered);
        }
    }

    /** Runs a task and then the microtasks it queued, as one turn of the event loop. */
    private void runWithMicrotasks(Runnable task) {
        runGuarded(task);
        Runnable micro;
        while ((micro = microtasks.poll()) != null) {
            runGuarded(micro);
        }
    }

    /**
     * Runs the first delivery on this thread, now outside the session, and hands the others to
     * the delivery pool first, so that none waits behind a callback that blocks.
     */
    private static void runDeliveries(List<Runnable> delivered) {
        for (int i = 1; i < delivered.size(); i++) {
            EnginePools.DELIVERY.execute(delivered.get(i));
        }
        runGuarded(delivered.get(0));
    }

    /** Runs {@code task} as a task of its own would run: an error that escapes it is logged. */
    static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            ESCAPED.incrementAndGet();
            // Tasks handle their own errors; anything that escapes is a bug, logged not rethrown,
            // so that the session keeps running.
            LOG.log(System.Logger.Level.WARNING, "Unexpected error in a session task", t);
        }
    }
}
