package capnweb.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each benchmark does the work it claims to, once, so that a score never measures a failure. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EngineBenchmarksTest {
    private final EngineBenchmarks b = new EngineBenchmarks();

    @BeforeEach
    void setUp() {
        b.setUp();
    }

    @AfterEach
    void tearDown() {
        b.tearDown();
    }

    @Test
    void callSquaresOverTheInMemoryPair() {
        assertThat(b.call()).isEqualTo(49L);
    }

    @Test
    void call256DirectAnswersEveryCallOnTheCallingThread() {
        // The last of the 256 calls squares 255; every promise was settled before join.
        assertThat(b.call256Direct()).isEqualTo(65025L);
    }

    @Test
    void echoesComeBackEqual() {
        Object typical = b.echoTypical();
        assertThat(typical).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) typical).get("name")).isEqualTo("Alice Example");
        assertThat((Map<?, ?>) typical).hasSize(7);
        assertThat(b.echo1MiB()).isInstanceOf(String.class)
                .satisfies(s -> assertThat((String) s).hasSize(1 << 20));
    }

    @Test
    void pipelinedChainIncrementsTenTimes() {
        assertThat(b.pipelinedChain()).isEqualTo(10L);
    }

    @Test
    void batchAnswersTheReferenceClientsRequest() {
        assertThat(b.batch()).isEqualTo("[\"resolve\",1,49]");
    }
}
