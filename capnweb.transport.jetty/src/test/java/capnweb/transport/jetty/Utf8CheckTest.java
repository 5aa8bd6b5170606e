package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8CheckTest {

    @Test
    void acceptsExactlyWhatTheJdkDecoderAccepts() {
        Random random = new Random(3);
        byte[] interesting = {0x41, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0,
            (byte) 0xA0, (byte) 0xED, (byte) 0x9F, (byte) 0xEF, (byte) 0xF0, (byte) 0x90, (byte) 0xF4, (byte) 0x8F,
            (byte) 0xF5, (byte) 0xFF};
        for (int round = 0; round < 200_000; round++) {
            byte[] b = new byte[random.nextInt(6)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : (byte) random.nextInt();
            }
            assertThat(WebSocketTransport.checkUtf8(b, 0, b.length) == b.length)
                    .as(Arrays.toString(b)).isEqualTo(jdkAccepts(b));
        }
    }

    @Test
    void anIncompleteTrailingSequenceIsReportedWhereItStarts() {
        byte[] text = "a\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        int[] starts = {0, 1, 3, 6, 10};
        for (int cut = 0; cut <= text.length; cut++) {
            int expected = cut;
            for (int s : starts) {
                if (s < cut && cut < nextStart(starts, s, text.length)) {
                    expected = s;
                }
            }
            assertThat(WebSocketTransport.checkUtf8(text, 0, cut)).as("cut at " + cut).isEqualTo(expected);
        }
        // An incomplete sequence that already cannot be UTF-8 is refused at once.
        assertThat(WebSocketTransport.checkUtf8(new byte[] {(byte) 0xE0, (byte) 0x80}, 0, 2)).isEqualTo(-1);
    }

    private static int nextStart(int[] starts, int s, int end) {
        for (int t : starts) {
            if (t > s) {
                return t;
            }
        }
        return end;
    }

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
