package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeepaliveTest {

    @Test
    void noPingsOrNoIdleTimeoutMeansNoWatch() {
        assertThat(Keepalive.of(Duration.ZERO, Duration.ofMinutes(5))).isEmpty();
        assertThat(Keepalive.of(Duration.ofSeconds(30), Duration.ZERO)).isEmpty();
    }

    @Test
    void thePeerIsPingedAtLeastTwiceWithinTheIdleTimeout() {
        assertThat(Keepalive.of(Duration.ofSeconds(30), Duration.ofMinutes(5)).orElseThrow().period())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(Keepalive.of(Duration.ofSeconds(30), Duration.ofSeconds(20)).orElseThrow().period())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aPeerIsGoneOnceItSentNothingForTheIdleTimeout() throws Exception {
        Keepalive watch = Keepalive.of(Duration.ofSeconds(30), Duration.ofMillis(200)).orElseThrow();
        assertThat(watch.peerGone()).isFalse();
        Thread.sleep(250);
        assertThat(watch.peerGone()).isTrue();
        watch.heard();
        assertThat(watch.peerGone()).as("a frame since the last check").isFalse();
        Thread.sleep(250);
        assertThat(watch.peerGone()).as("nothing since").isTrue();
        assertThat(watch.goneReason()).contains("PT0.2S").contains("ServerOptions.idleTimeout");
    }
}
