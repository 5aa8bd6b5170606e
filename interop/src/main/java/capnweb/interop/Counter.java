package capnweb.interop;

import capnweb.api.RpcTarget;

/**
 * A counter passed by reference, as the reference implementation's test {@code Counter}. Numbers
 * are JavaScript numbers: doubles.
 */
public final class Counter implements RpcTarget {
    private double value;

    /**
     * Makes a counter.
     *
     * @param start the first value
     */
    public Counter(double start) {
        this.value = start;
    }

    /**
     * Adds one, like {@code increment()} with its default argument.
     *
     * @return the new value
     */
    public synchronized double increment() {
        return increment(1);
    }

    /**
     * Adds {@code amount}.
     *
     * @param amount what to add
     * @return the new value
     */
    public synchronized double increment(double amount) {
        value += amount;
        return value;
    }

    /** @return the current value (the remote property {@code value}) */
    public synchronized double value() {
        return value;
    }
}
