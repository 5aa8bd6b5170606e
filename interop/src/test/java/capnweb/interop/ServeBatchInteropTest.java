package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.CapnWeb;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.HttpBatchPoster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP batches over HTTP code no transport of this project runs: {@code CapnWeb.serveBatch} on the
 * JDK's HTTP server ({@link JdkBatchServer}), with the reference client's HTTP batch cases against
 * it, and {@code CapnWeb.newBatchSession} over the JDK's HTTP client, against the reference server
 * and against {@code serveBatch}.
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

    /** A batch poster over the JDK's HttpClient, as CapnWeb.newBatchSession's Javadoc shows; counts its POSTs. */
    private static HttpBatchPoster jdkPoster(URI uri, AtomicInteger posts) {
        // HTTP/1.1: by default the JDK's client asks an http: server to upgrade to h2c, which the
        // reference's Node server answers 405.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return body -> {
            posts.incrementAndGet();
            return http.sendAsync(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("The batch was answered " + response.statusCode() + ".");
                        }
                        return response.body();
                    });
        };
    }

    @Test
    void aBatchSessionOverTheJdkHttpClientPipelinesInOnePostToTheReferenceServer() {
        try (Node.ReadyProcess reference = Node.startReferenceServer()) {
            AtomicInteger posts = new AtomicInteger();
            URI uri = URI.create("http://127.0.0.1:" + reference.port() + "/rpc");
            RpcSession session = CapnWeb.newBatchSession(jdkPoster(uri, posts), Undefined.INSTANCE,
                    SessionOptions.defaults());
            RpcStub api = session.main();
            RpcPromise counter = api.call("makeCounter", 5);
            RpcPromise seven = counter.call("increment", 2);
            RpcPromise nine = api.call("square", 3);
            assertThat(session.whenAll(seven, nine).join()).isEqualTo(List.of(7L, 9L));
            assertThat(posts).hasValue(1);
        }
    }

    @Test
    void aBatchSessionOverTheJdkHttpClientReachesServeBatchWithNoTransportAtAll() {
        AtomicInteger posts = new AtomicInteger();
        RpcSession session = CapnWeb.newBatchSession(jdkPoster(URI.create(url()), posts), Undefined.INSTANCE,
                SessionOptions.defaults());
        RpcStub api = session.main();
        RpcPromise fib = api.call("generateFibonacci", 6);
        RpcPromise squares = fib.map(x -> api.call("square", x));
        assertThat(squares.join()).isEqualTo(List.of(0L, 1L, 1L, 4L, 9L, 25L));
        assertThat(posts).hasValue(1);
    }

    @Test
    void aPosterThatFailsRejectsTheBatchsCallsWithItsError() {
        URI wrong = URI.create("http://127.0.0.1:" + server.port() + "/elsewhere");
        RpcSession session = CapnWeb.newBatchSession(jdkPoster(wrong, new AtomicInteger()), Undefined.INSTANCE,
                SessionOptions.defaults());
        RpcPromise call = session.main().call("square", 2);
        assertThatThrownBy(call::join).hasMessageContaining("answered 404");
    }

    @Test
    void anEmptyBatchIsAnsweredWithAnEmptyBody() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url()))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }
}
