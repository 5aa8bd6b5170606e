package capnweb.transport.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The warnings logged while it is open, through {@code System.Logger} to its default backend,
 * {@code java.util.logging}: what an operator would see of a server.
 */
public final class CapturedWarnings implements AutoCloseable {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                messages.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Starts capturing. */
    public CapturedWarnings() {
        root.addHandler(handler);
    }

    /**
     * @param text what the warning says in part
     * @return whether a warning containing it was logged
     */
    public boolean contains(String text) {
        return messages.stream().anyMatch(m -> m != null && m.contains(text));
    }

    @Override
    public void close() {
        root.removeHandler(handler);
    }
}
