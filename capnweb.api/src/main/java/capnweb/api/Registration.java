package capnweb.api;

/**
 * A registered callback; closing it unregisters the callback. Closing twice does nothing.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    /** Unregisters the callback. */
    @Override
    void close();
}
