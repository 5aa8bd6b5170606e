package capnweb.bench;

import capnweb.api.RpcTarget;

/**
 * The members of the interop TestTarget that the load scenarios call, for the bench's own Java
 * server ({@link BenchServer}). Numbers are doubles, as in JavaScript.
 */
public final class BenchTarget implements RpcTarget {

    /** @return i * i */
    public double square(double i) {
        return i * i;
    }

    /** @return a new counter starting at {@code i}, passed by reference */
    public Counter makeCounter(double i) {
        return new Counter(i);
    }

    /** @return {@code x} unchanged */
    public Object echo(Object x) {
        return x;
    }

    /** @return a + b */
    public double add(double a, double b) {
        return a + b;
    }

    /** A counter passed by reference. */
    public static final class Counter implements RpcTarget {
        private double value;

        Counter(double start) {
            this.value = start;
        }

        /** Adds {@code amount} and returns the new value. */
        public double increment(double amount) {
            value += amount;
            return value;
        }

        /** @return the current value */
        public double value() {
            return value;
        }
    }
}
