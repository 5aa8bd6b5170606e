package capnweb.protocol;

import static capnweb.protocol.RawPeer.canon;
import static capnweb.protocol.RawPeer.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scripted peer's own comparisons, so that a wire test cannot pass by accident. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireRawPeerTest {

    @Test
    void numbersCompareByValue() {
        assertThat(canon(parse("[9,1e+300,-0,0.50]"))).isEqualTo(canon(parse("[9.0,1.0E300,0,0.5]")));
        assertThat(canon(parse("[9]"))).isNotEqualTo(canon(parse("[\"9\"]")));
        assertThat(canon(parse("9007199254740993"))).isNotEqualTo(canon(parse("9007199254740992")));
    }

    @Test
    void arrayOrderAndObjectKeyOrderMatter() {
        assertThat(canon(parse("[1,2]"))).isNotEqualTo(canon(parse("[2,1]")));
        assertThat(canon(parse("{\"a\":1,\"b\":2}"))).isNotEqualTo(canon(parse("{\"b\":2,\"a\":1}")));
        assertThat(canon(parse("[[1]]"))).isNotEqualTo(canon(parse("[1]")));
    }

    @Test
    void expectFailsOnADifferentFrameAndExpectNothingOnAnyFrame() {
        RawPeer peer = new RawPeer();
        peer.send("[\"resolve\",1,9]");
        assertThatThrownBy(() -> peer.expect("[\"resolve\",1,10]")).isInstanceOf(AssertionError.class);
        peer.send("[\"release\",1,1]");
        assertThatThrownBy(() -> peer.expectNothing(Duration.ofMillis(50))).isInstanceOf(AssertionError.class);
        peer.send("[\"a\"]");
        peer.send("[\"b\"]");
        peer.expectUnordered("[\"b\"]", "[\"a\"]");
        peer.expectNothing(Duration.ofMillis(50));
        assertThat(peer.history()).hasSize(4);
    }
}
