package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OccasionalWarningTest {

    @Test
    void theFirstTimeIsLoggedAndTheRestOfTheMinuteOnlyCounted() {
        Recorder log = new Recorder();
        OccasionalWarning warning = new OccasionalWarning(log, count -> "happened " + count + " times");
        warning.happened();
        for (int i = 0; i < 99; i++) {
            warning.happened();
        }
        assertThat(log.messages).containsExactly("WARNING happened 1 times");
    }

    /** A logger that keeps what it is given. */
    private static final class Recorder implements System.Logger {
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "recorder";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, Supplier<String> message) {
            messages.add(level + " " + message.get());
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            messages.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            messages.add(level + " " + format);
        }
    }
}
