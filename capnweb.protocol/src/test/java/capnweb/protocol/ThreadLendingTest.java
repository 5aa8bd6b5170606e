package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a session runs its work on the thread that hands it in (saving a hand-off to the pool),
 * and when it must not.
 */
@Timeout(10)
class ThreadLendingTest {
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "base-pool"));

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void anIdleSessionRunsTheTaskOnTheCallersThreadBeforeReturning() {
        SessionExecutor executor = new SessionExecutor(pool);
        AtomicReference<String> ranOn = new AtomicReference<>();
        executor.executeHere(() -> {
            ranOn.set(Thread.currentThread().getName());
            assertThat(executor.inExecutor()).isTrue();
        });
        assertThat(ranOn.get()).isEqualTo(Thread.currentThread().getName());
        assertThat(executor.inExecutor()).isFalse();
    }

    @Test
    void aBusySessionQueuesTheTaskInOrderInsteadOfRunningItHere() throws Exception {
        SessionExecutor executor = new SessionExecutor(pool);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
        executor.execute(() -> {
            running.countDown();
            await(release);
            order.add("first");
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        executor.executeHere(() -> {
            order.add("second");
            threads.add(Thread.currentThread().getName());
        });
        assertThat(order).isEmpty();
        release.countDown();
        assertThat(threads.poll(5, TimeUnit.SECONDS)).isEqualTo("base-pool");
        assertThat(order).containsExactly("first", "second");
    }

    @Test
    void workQueuedWhileTheCallersTaskRunsGoesToThePoolNotTheCaller() throws Exception {
        SessionExecutor executor = new SessionExecutor(pool);
        LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
        String caller = Thread.currentThread().getName();
        executor.executeHere(() -> {
            Thread other = new Thread(() -> executor.execute(() -> threads.add(Thread.currentThread().getName())));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            threads.add(Thread.currentThread().getName());
        });
        assertThat(threads.poll(5, TimeUnit.SECONDS)).isEqualTo(caller);
        assertThat(threads.poll(5, TimeUnit.SECONDS)).isEqualTo("base-pool");
    }

    @Test
    void aTaskOfAnotherSessionNeverLendsItsThread() throws Exception {
        SessionExecutor outer = new SessionExecutor(Runnable::run);
        SessionExecutor inner = new SessionExecutor(pool);
        LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
        outer.execute(() -> inner.executeHere(() -> threads.add(Thread.currentThread().getName())));
        assertThat(threads.poll(5, TimeUnit.SECONDS)).isEqualTo("base-pool");
    }

    /**
     * An idle direct session runs a task at once, but never ahead of tasks still queued. Queued
     * tasks with no drain scheduled happen when a drain stops at its bound and another thread
     * comes before it reschedules; an executor that refuses the next drain leaves the same state
     * on one thread.
     */
    @Test
    void anIdleDirectSessionDoesNotRunANewTaskAheadOfQueuedOnes() {
        AtomicBoolean refuseNext = new AtomicBoolean();
        Executor direct = task -> {
            if (refuseNext.getAndSet(false)) {
                throw new RejectedExecutionException("refused once");
            }
            task.run();
        };
        SessionExecutor executor = new SessionExecutor(direct, true);
        List<String> order = new ArrayList<>();
        int queued = 300;
        executor.execute(() -> {
            for (int i = 0; i < queued; i++) {
                String name = "queued " + i;
                executor.execute(() -> order.add(name));
            }
            refuseNext.set(true);
        });
        // One drain runs at most 256 tasks; the rest wait for a drain the executor refused.
        assertThat(order).hasSizeLessThan(queued);

        executor.execute(() -> order.add("late"));

        assertThat(order).hasSize(queued + 1);
        assertThat(order.subList(queued - 2, queued + 1)).containsExactly("queued 298", "queued 299", "late");
    }

    @Test
    void aMessageIsHandledOnTheDeliveringThreadWhenItsTransportSaysItMayBlock() throws Exception {
        assertThat(threadOfTargetCall(true, SessionOptions.defaults())).isEqualTo("delivering-thread");
    }

    @Test
    void aMessageIsHandedToTheEnginesPoolWhenItsTransportDeliversOnAnEventLoop() throws Exception {
        assertThat(threadOfTargetCall(false, SessionOptions.defaults())).startsWith("capnweb-engine-");
    }

    @Test
    void anExecutorTheApplicationChoseStillRunsEveryTargetMethod() throws Exception {
        SessionOptions options = SessionOptions.builder().executor(pool).build();
        assertThat(threadOfTargetCall(true, options)).isEqualTo("base-pool");
    }

    @Test
    void directExecutionHandlesAMessageEvenOnAThreadThatMustNotBlock() throws Exception {
        SessionOptions options = SessionOptions.builder().directExecutor().build();
        assertThat(threadOfTargetCall(false, options)).isEqualTo("delivering-thread");
    }

    @Test
    void aServedBatchRunsOnTheThreadThatHandsItIn() throws Exception {
        assertThat(batchAnswer(SessionOptions.defaults())).isEqualTo("[\"resolve\",1,\"serving-thread\"]");
    }

    @Test
    void aServedBatchRunsOnTheExecutorTheApplicationChose() throws Exception {
        assertThat(batchAnswer(SessionOptions.builder().executor(pool).build()))
                .isEqualTo("[\"resolve\",1,\"base-pool\"]");
    }

    /** Serves a batch calling where() from a thread named "serving-thread"; returns the response. */
    private static String batchAnswer(SessionOptions options) throws Exception {
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public String where() {
                return Thread.currentThread().getName();
            }
        };
        LinkedBlockingQueue<String> answer = new LinkedBlockingQueue<>();
        Thread serving = new Thread(() -> new CapnWebEngine()
                .serveBatch("[\"push\",[\"pipeline\",0,[\"where\"],[]]]\n[\"pull\",1]", target, options)
                .thenAccept(answer::add), "serving-thread");
        serving.start();
        serving.join();
        return answer.poll(5, TimeUnit.SECONDS);
    }

    /** Delivers a call of where() from a thread named "delivering-thread"; returns where it ran. */
    private static String threadOfTargetCall(boolean mayBlock, SessionOptions options) throws Exception {
        LinkedBlockingQueue<String> ranOn = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> sent = new LinkedBlockingQueue<>();
        RpcTarget target = new RpcTarget() {
            @SuppressWarnings("unused")
            public long where() {
                ranOn.add(Thread.currentThread().getName());
                return 1;
            }
        };
        AtomicReference<MessageReceiver> receiver = new AtomicReference<>();
        MessageTransport transport = new MessageTransport() {
            @Override
            public void start(MessageReceiver r) {
                receiver.set(r);
            }

            @Override
            public void send(String message) {
                sent.add(message);
            }

            @Override
            public void close() {
            }

            @Override
            public void abort(Throwable reason) {
            }

            @Override
            public boolean deliveryThreadsMayBlock() {
                return mayBlock;
            }
        };
        Session session = (Session) new CapnWebEngine().newSession(transport, target, options);
        try {
            Thread delivering = new Thread(() -> {
                receiver.get().onMessage("[\"push\",[\"pipeline\",0,[\"where\"],[]]]");
                receiver.get().onMessage("[\"pull\",1]");
            }, "delivering-thread");
            delivering.start();
            delivering.join();
            assertThat(sent.poll(5, TimeUnit.SECONDS)).isEqualTo("[\"resolve\",1,1]");
            return ranOn.poll(5, TimeUnit.SECONDS);
        } finally {
            session.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
