package capnweb.transport.testkit;

import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The objects the hardening, load and leak suites serve, and what they record. */
public final class HardeningTargets {
    private HardeningTargets() {
    }

    /** What the targets of one test's server observed. Thread-safe. */
    public static final class State {
        /** Main objects made, one per session. */
        public final AtomicInteger mainsCreated = new AtomicInteger();
        /** Main objects closed: the session let go of them. */
        public final AtomicInteger mainsClosed = new AtomicInteger();
        /** Resources opened by {@link Main#openResource()}. */
        public final AtomicInteger resourcesOpened = new AtomicInteger();
        /** Resources closed, because the peer released them or the session ended. */
        public final AtomicInteger resourcesClosed = new AtomicInteger();
        /** Calls of {@link Main#hang()} so far. */
        public final AtomicInteger hanging = new AtomicInteger();
        /** Calls of {@link Main#block()} blocked right now. */
        public final AtomicInteger blocked = new AtomicInteger();
        /** Calls of {@link Main#text(int)} so far. */
        public final AtomicInteger textCalls = new AtomicInteger();
        /** Releases every call blocked in {@link Main#block()}. */
        public final CountDownLatch unblock = new CountDownLatch(1);
        /** Stubs the peers handed to {@link Main#keep(RpcStub)}. */
        public final List<RpcStub> kept = new CopyOnWriteArrayList<>();
    }

    /** The main object of every session of these suites' servers. */
    public static class Main implements RpcTarget, AutoCloseable {
        private final State state;

        /** @param state where to record what happens */
        public Main(State state) {
            this.state = state;
            state.mainsCreated.incrementAndGet();
        }

        /**
         * @param a a number
         * @param b a number
         * @return their sum
         */
        public long add(long a, long b) {
            return a + b;
        }

        /**
         * @param value anything
         * @return the same value
         */
        public Object echo(Object value) {
            return value;
        }

        /**
         * @param length how many characters
         * @return a string of that many {@code x}
         */
        public String text(int length) {
            state.textCalls.incrementAndGet();
            return "x".repeat(length);
        }

        /** @return a result that never comes */
        public CompletionStage<Object> hang() {
            state.hanging.incrementAndGet();
            return new CompletableFuture<>();
        }

        /**
         * Blocks the calling thread until the test releases it (at most 30 seconds): a target
         * that does slow work the wrong way, on the session's thread.
         *
         * @return "released"
         * @throws InterruptedException if interrupted
         */
        public String block() throws InterruptedException {
            state.blocked.incrementAndGet();
            try {
                state.unblock.await(30, TimeUnit.SECONDS);
                return "released";
            } finally {
                state.blocked.decrementAndGet();
            }
        }

        /**
         * Fails with an exception that has a cause and a stack.
         *
         * @return never
         */
        public Object fail() {
            throw new IllegalStateException("boom");
        }

        /**
         * Calls a function of the caller.
         *
         * @param function the caller's function
         * @param argument what to pass it
         * @return what it returned
         */
        public CompletionStage<Object> callBack(RpcStub function, Object argument) {
            return function.invoke(argument).toCompletableFuture();
        }

        /**
         * Keeps a stub of the caller's until the session ends.
         *
         * @param stub an object of the caller
         * @return true
         */
        public boolean keep(RpcStub stub) {
            RpcStub kept = stub.dup();
            state.kept.add(kept);
            // Let go of it when its session ends, so that ended sessions are not kept reachable.
            kept.onBroken(e -> {
                state.kept.remove(kept);
                kept.close();
            });
            return true;
        }

        /** @return a resource that records when it is released */
        public Resource openResource() {
            state.resourcesOpened.incrementAndGet();
            return new Resource(state);
        }

        @Override
        public void close() {
            state.mainsClosed.incrementAndGet();
        }
    }

    /** A resource whose release the suites watch. */
    public static final class Resource implements RpcTarget, AutoCloseable {
        private final State state;
        private boolean closed;

        Resource(State state) {
            this.state = state;
        }

        /** @return "pong" */
        public String ping() {
            return "pong";
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                state.resourcesClosed.incrementAndGet();
            }
        }
    }

    /** An object of a client, passed to the server; records its release. */
    public static final class ClientObject implements RpcTarget, AutoCloseable {
        /** Counts down when the peer released it. */
        public final CountDownLatch closed = new CountDownLatch(1);

        /**
         * @param n a number
         * @return twice the number
         */
        public long twice(long n) {
            return 2 * n;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
