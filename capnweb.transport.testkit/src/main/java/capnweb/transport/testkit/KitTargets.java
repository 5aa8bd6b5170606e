package capnweb.transport.testkit;

import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** The objects the conformance suite's servers expose, and what they record for the assertions. */
public final class KitTargets {
    private KitTargets() {
    }

    /** What the targets of one test's server observed. Thread-safe. */
    public static final class State {
        /** Main objects made: one per WebSocket connection, one per batch request. */
        public final AtomicInteger mainsCreated = new AtomicInteger();
        /** Resources opened by {@link Main#openResource()}. */
        public final AtomicInteger resourcesOpened = new AtomicInteger();
        /** Counts down when a resource is closed (released by the peer). */
        public final CountDownLatch resourceClosed = new CountDownLatch(1);
        /** Counts down when {@link Main#hang()} is called. */
        public final CountDownLatch hangStarted = new CountDownLatch(1);
        /** Counts down when {@link Main#held()} is called. */
        public final CountDownLatch heldStarted = new CountDownLatch(1);
        /** What {@link Main#held()} answers, once the test completes it. */
        public final CompletableFuture<Object> heldAnswer = new CompletableFuture<>();
    }

    /** The main object of every session the suite's servers serve. */
    public static class Main implements RpcTarget {
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
        public String text(long length) {
            return "x".repeat((int) length);
        }

        /**
         * Calls back into the caller: a server-to-client call on the same connection.
         *
         * @param function a function of the caller
         * @param argument what to pass it
         * @return what the function returned
         */
        public CompletionStage<Object> callFunction(RpcStub function, Object argument) {
            return function.invoke(argument).toCompletableFuture();
        }

        /**
         * Calls a method of an object of the caller.
         *
         * @param target an object of the caller
         * @param method the method name
         * @param argument what to pass it
         * @return what the method returned
         */
        public CompletionStage<Object> callMethod(RpcStub target, String method, Object argument) {
            return target.call(method, argument).toCompletableFuture();
        }

        /**
         * @param start the first value
         * @return a new counter, passed by reference
         */
        public Counter makeCounter(long start) {
            return new Counter(start);
        }

        /** @return a resource that records when the peer releases it */
        public Resource openResource() {
            state.resourcesOpened.incrementAndGet();
            return new Resource(state);
        }

        /** @return a result that never comes */
        public CompletionStage<Object> hang() {
            state.hangStarted.countDown();
            return new CompletableFuture<>();
        }

        /** @return a result that comes when the test completes {@link State#heldAnswer} */
        public CompletionStage<Object> held() {
            state.heldStarted.countDown();
            return state.heldAnswer;
        }
    }

    /** A counter passed by reference. */
    public static final class Counter implements RpcTarget {
        private long value;

        Counter(long start) {
            this.value = start;
        }

        /**
         * @param by how much to add
         * @return the new value
         */
        public synchronized long increment(long by) {
            value += by;
            return value;
        }

        /** @return the current value */
        public synchronized long value() {
            return value;
        }
    }

    /** A resource whose release the suite watches. */
    public static final class Resource implements RpcTarget, AutoCloseable {
        private final State state;

        Resource(State state) {
            this.state = state;
        }

        /** @return a greeting, to show the resource works */
        public String ping() {
            return "pong";
        }

        @Override
        public void close() {
            state.resourceClosed.countDown();
        }
    }

    /** An object of the client, called by the server. */
    public static final class ClientSide implements RpcTarget {
        /** How many times the server called it. */
        public final AtomicInteger calls = new AtomicInteger();

        /**
         * @param n a number
         * @return twice the number
         */
        public long twice(long n) {
            calls.incrementAndGet();
            return 2 * n;
        }
    }
}
