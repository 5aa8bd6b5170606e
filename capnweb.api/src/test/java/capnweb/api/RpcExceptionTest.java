package capnweb.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RpcExceptionTest {

    @Test
    void anErrorMadeWithoutAStackTraceHasNoneAndEverythingElse() {
        RpcException cheap = RpcException.withoutStackTrace("RangeError", "out of range");
        assertThat(cheap.getStackTrace()).isEmpty();
        assertThat(cheap.type()).isEqualTo("RangeError");
        assertThat(cheap).hasMessage("out of range").hasNoCause();
        assertThat(cheap.properties()).isEmpty();
        assertThat(cheap.remoteStack()).isEmpty();
        assertThat(cheap).hasToString("RangeError: out of range");
        // Suppressed errors are still kept, as for any other exception.
        cheap.addSuppressed(new IllegalStateException("also"));
        assertThat(cheap.getSuppressed()).hasSize(1);
    }

    @Test
    void anErrorMadeTheUsualWayRecordsWhereItWasMade() {
        RpcException usual = RpcException.of("Error", "usual", Map.of("code", 7));
        assertThat(usual.getStackTrace()).isNotEmpty();
        assertThat(usual.getStackTrace()[0].getMethodName()).isEqualTo("of");
        assertThat(usual.properties()).containsEntry("code", 7);
    }
}
