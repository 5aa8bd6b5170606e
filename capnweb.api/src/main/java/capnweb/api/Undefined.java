package capnweb.api;

/**
 * JavaScript's {@code undefined}, which the protocol distinguishes from {@code null}.
 *
 * <p>It arrives where the peer sent {@code undefined} (on the wire {@code ["undefined"]}); pass it
 * to send one. A target method declared {@code void} returns it.
 */
public enum Undefined {
    /** The one {@code undefined} value. */
    INSTANCE;

    @Override
    public String toString() {
        return "undefined";
    }
}
