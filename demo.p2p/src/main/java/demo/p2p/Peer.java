package demo.p2p;

import capnweb.api.RpcTarget;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One peer of the conversation, as the other peer sees it. One instance serves every session of
 * its process, so the counts cover all of them.
 */
public final class Peer implements RpcTarget {
    private final String name;
    private final AtomicLong messagesReceived = new AtomicLong();
    private final CompletableFuture<String> farewell = new CompletableFuture<>();

    /**
     * @param name the peer's name, e.g. "Alice"
     */
    public Peer(String name) {
        this.name = name;
    }

    /** @return the peer's name; remote callers read it as the property {@code name} */
    public String getName() {
        return name;
    }

    /** @return a greeting naming this peer */
    public String greet() {
        return "Hello, I'm " + name + "!";
    }

    /**
     * Counts a message and answers with the count so far.
     *
     * @param message what the other peer says
     * @return an answer with the number of messages received
     */
    public String chat(String message) {
        long n = messagesReceived.incrementAndGet();
        return name + " has received " + n + (n == 1 ? " message" : " messages");
    }

    /** @return the name and the number of messages received, sent by value as an object */
    public Stats getStats() {
        return new Stats(name, messagesReceived.get());
    }

    /**
     * Calls the caller back over the same connection: {@code caller} is a stub of the other peer
     * that arrived as an argument, seen through the {@link Greeter} interface (a typed stub).
     *
     * @param caller the other peer, passed by reference
     * @return what the other peer's {@code greet()} answered
     */
    public CompletionStage<String> callMeBack(Greeter caller) {
        // A CompletionStage, not a blocking call: this runs on the session's executor, which must
        // stay free to receive the answer.
        return caller.greet();
    }

    /**
     * The other peer has finished its side of the conversation.
     *
     * @param from who says goodbye
     * @return a farewell
     */
    public String bye(String from) {
        farewell.complete(from);
        return "Goodbye, " + from + ", from " + name + ".";
    }

    /**
     * Waits until the other peer said goodbye.
     *
     * @param seconds how long to wait at most
     * @return whether it did
     */
    boolean awaitFarewell(long seconds) {
        try {
            farewell.get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * What {@code getStats()} returns.
     *
     * @param name the peer's name
     * @param messagesReceived how many chat messages it received
     */
    public record Stats(String name, long messagesReceived) {
    }
}
