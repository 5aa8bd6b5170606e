package capnweb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static Result r(String client, String server, String scenario, long ops, long cpuMicros) {
        return new Result(client, server, scenario, ops, 1.0, 100, 200, cpuMicros, 0, 1024);
    }

    @Test
    void resultLinesRoundTrip() {
        Result r = new Result("node", "jetty", "echo1m", 50, 2.5, 1.5, 99.25, 123456, 1048576, 2048);
        Result back = Result.parse(r.line());
        assertThat(back).isEqualTo(new Result("node", "jetty", "echo1m", 50, 2.5, 1.5, 99.3, 123456, 1048576, 2048));
        assertThat(back.opsPerSecond()).isEqualTo(20);
        assertThat(back.megabytesPerSecond()).isEqualTo(20 * 1048576 / 1e6);
        assertThatThrownBy(() -> Result.parse("RESULT\tx")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mediansAreTakenPerMeasurementAcrossRuns() {
        Summary s = new Summary(List.of(
                r("node", "jetty", "seq", 100, -1), r("node", "jetty", "seq", 300, -1), r("node", "jetty", "seq", 200, -1)));
        assertThat(s.runs()).isEqualTo(3);
        assertThat(s.median("node", "jetty", "seq", Result::opsPerSecond)).isEqualTo(200);
        assertThat(s.median("node", "jetty", "batch", Result::opsPerSecond)).isNaN();
        assertThat(s.median("node", "jetty", "seq", Result::cpuMicrosPerOp)).isNaN();
    }

    @Test
    void goalsCompareTheJavaServerWithTheReference() {
        Summary s = new Summary(List.of(
                r("node", "reference", "seq", 1000, -1), r("node", "jetty", "seq", 1300, -1),
                r("node", "reference", "conc256", 1000, 20_000), r("node", "jetty", "conc256", 1000, 12_000)));
        String goals = s.goals().render();
        assertThat(goals).containsPattern("sequential calls/s vs reference \\(node client\\)\\s+jetty\\s+1.30x\\s+>= 1.2x\\s+yes");
        assertThat(goals).containsPattern("conc256 \\(node client\\)\\s+jetty\\s+0.60x\\s+<= 0.5x\\s+NO");
        assertThat(goals).containsPattern("1 MB echo .*jetty\\s+-\\s+>= 2.0x\\s+not measured");
    }

    @Test
    void aDirectServerIsComparedWithTheRawEchoOfItsTransport() {
        Summary s = new Summary(List.of(
                r("java", "raw-vertx", "rawseq", 3000, -1), r("java", "vertx", "seq", 1000, -1),
                r("java", "vertx+direct", "seq", 2000, -1)));
        String goals = s.goals().render();
        assertThat(goals).containsPattern("raw WS echo / RPC, sequential \\(java client\\)\\s+vertx\\s+3.00x\\s+<= 1.5x\\s+NO");
        assertThat(goals).containsPattern("raw WS echo / RPC, sequential \\(java client\\)\\s+vertx\\+direct\\s+1.50x\\s+<= 1.5x\\s+yes");
    }
}
