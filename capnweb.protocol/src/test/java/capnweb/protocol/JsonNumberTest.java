package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonNumberTest {

    @Test
    void wholeNumbersReadLikeTheGeneralParser() {
        for (String text : new String[] {"0", "7", "-7", "49", "9007199254740991", "-123456789012345",
                "999999999999999", "1234567890123456789", "12345678901234567890123"}) {
            assertThat(Json.parseNumber(text)).as(text).isEqualTo(Double.parseDouble(text));
        }
    }

    @Test
    void minusZeroStaysNegativeZero() {
        assertThat(Double.doubleToRawLongBits(Json.parseNumber("-0")))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void fractionsAndExponentsGoToTheGeneralParser() {
        assertThat(Json.parseNumber("1.5")).isEqualTo(1.5);
        assertThat(Json.parseNumber("-2.5e3")).isEqualTo(-2500.0);
        assertThat(Json.parseNumber("1E2")).isEqualTo(100.0);
    }
}
