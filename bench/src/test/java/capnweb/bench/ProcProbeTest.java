package capnweb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcProbeTest {

    @Test
    void cpuTicksAreUserPlusSystemCountedAfterTheCommandName() {
        // A command name with spaces and a ')' must not shift the fields.
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 30 0";
        assertThat(ProcProbe.cpuTicks(stat)).isEqualTo(1750);
        assertThat(ProcProbe.ticksToMicros(1750)).isEqualTo(17_500_000);
    }

    @Test
    void peakRssIsTheVmHwmLine() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  139264 kB\nVmRSS:\t  120000 kB\n";
        assertThat(ProcProbe.vmHwmKib(status)).isEqualTo(139264);
        assertThatThrownBy(() -> ProcProbe.vmHwmKib("Name:\tx\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsThisProcess() {
        ProcProbe self = new ProcProbe(ProcessHandle.current().pid());
        assertThat(self.cpuMicros()).isPositive();
        assertThat(self.peakRssKib()).isPositive();
    }

    @Test
    void aMissingProcessIsRefusedWithAnExplanation() {
        assertThatThrownBy(() -> new ProcProbe(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pass the pid of a running server");
    }
}
