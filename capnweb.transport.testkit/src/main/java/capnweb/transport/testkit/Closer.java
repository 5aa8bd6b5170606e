package capnweb.transport.testkit;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed after it, last first; one that fails to close does not stop the rest. */
public final class Closer {
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Makes an empty one. */
    public Closer() {
    }

    /**
     * @param <T> its type
     * @param resource closed by {@link #closeAll()}
     * @return {@code resource}
     */
    public <T extends AutoCloseable> T add(T resource) {
        opened.add(resource);
        return resource;
    }

    /** Closes everything added, last first, and forgets it. */
    public void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        opened.clear();
    }
}
