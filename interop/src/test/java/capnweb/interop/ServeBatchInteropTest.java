package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code CapnWeb.serveBatch} on an HTTP server no transport runs (the JDK's, {@link JdkBatchServer}):
 * the reference client's HTTP batch cases against it, and what a broken batch is answered with.
 */
@Timeout(300)
class ServeBatchInteropTest {
    private static JdkBatchServer server;

    @BeforeAll
    static void start() throws Exception {
        server = JdkBatchServer.start(0, TestTarget::new, 1 << 20);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url() {
        return "http://127.0.0.1:" + server.port() + "/rpc";
    }

    @Test
    void theReferenceClientPassesEveryHttpBatchCase() {
        Node.Result result = Node.run(Duration.ofMinutes(3), "client.mjs", url());
        List<String> cases = result.lines().stream().filter(l -> l.startsWith("{")).collect(Collectors.toList());
        List<String> failures = cases.stream().filter(l -> !l.contains("\"pass\":true")).collect(Collectors.toList());
        assertThat(failures).as("failed cases (stderr: %s)", result.stderr()).isEmpty();
        Node.Result listed = Node.run(Duration.ofSeconds(60), "client.mjs", url(), "--list");
        assertThat(cases).as("every applicable case reported").hasSize(listed.lines().size()).hasSizeGreaterThan(50);
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void aBatchThatBreaksTheProtocolIsAnsweredUpToTheFaultAndAnAbortNamingIt() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]\n[\"pull\",1]\n[\"nonsense\"]\n[\"pull\",1]";
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url()))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = response.body().lines().collect(Collectors.toList());
        assertThat(lines.get(0)).isEqualTo("[\"resolve\",1,16]");
        assertThat(lines.get(lines.size() - 1)).startsWith("[\"abort\"").contains("nonsense");
    }

    @Test
    void anEmptyBatchIsAnsweredWithAnEmptyBody() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url()))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }
}
