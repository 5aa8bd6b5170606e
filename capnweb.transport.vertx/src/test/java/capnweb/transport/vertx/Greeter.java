package capnweb.transport.vertx;

import capnweb.api.RpcTarget;

/** A user's main object in the swap test; public in an exported package so the engine reaches it. */
public final class Greeter implements RpcTarget {
    /** Makes a greeter. */
    public Greeter() {
    }

    /**
     * @param name who to greet
     * @return the greeting
     */
    public String greet(String name) {
        return "Hello, " + name + "!";
    }

    /**
     * @param a a number
     * @param b another
     * @return their sum
     */
    public long add(long a, long b) {
        return a + b;
    }
}
