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
        assertThat(watch.goneReason()).isEqualTo("The WebSocket peer sent nothing, not even an answer to a "
                + "ping, for 200 ms (ServerOptions.idleTimeout), so its connection was dropped.");
        assertThat(Keepalive.ofClient(Duration.ofSeconds(20), Duration.ofMinutes(1)).orElseThrow().goneReason())
                .contains("for 60 s (ClientOptions.keepalive)");
    }
}
