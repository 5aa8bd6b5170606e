package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcException;
import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.ProviderRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java side as an HTTP batch client: the request body it posts and how it reads the response.
 * The expected bodies are what the reference's newHttpBatchRpcSession (src/batch.ts) posted for
 * the same calls.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireBatchClientTest {
    private final List<String> posted = new CopyOnWriteArrayList<>();

    private RpcSession session(String... responses) {
        List<String> queue = new ArrayList<>(List.of(responses));
        return ProviderRegistry.load().engine().newBatchClient(body -> {
            posted.add(body);
            return CompletableFuture.completedFuture(queue.isEmpty() ? "" : queue.remove(0));
        }, Undefined.INSTANCE, SessionOptions.defaults());
    }

    private static List<String> canonLines(String body) {
        List<String> out = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            out.add(RawPeer.canon(RawPeer.parse(line)));
        }
        return out;
    }

    private static List<String> canonLines(String... lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(RawPeer.canon(RawPeer.parse(line)));
        }
        return out;
    }

    @Test
    void resultInTheResponseIsDeliveredBeforeTheBatchEndsWhenThePosterCompletesOnAnotherThread() {
        // The shape of callSquare(api, 4).result against the reference server: the response holds
        // only the pulled resolve. The poster answers from another thread after a short, varying
        // delay, so the response races the application thread's join().
        java.util.concurrent.ScheduledExecutorService other =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 2000; i++) {
                long delayMicros = i % 7 * 20L;
                RpcSession s = ProviderRegistry.load().engine().newBatchClient(body -> {
                    CompletableFuture<String> response = new CompletableFuture<>();
                    other.schedule(() -> response.complete("[\"resolve\",2,16]"), delayMicros, TimeUnit.MICROSECONDS);
                    return response;
                }, Undefined.INSTANCE, SessionOptions.defaults());
                try (s) {
                    RpcStub api = s.main();
                    assertThat(api.call("callSquare", api, 4).get("result").join(Duration.ofSeconds(5)))
                            .as("round %d", i).isEqualTo(16L);
                }
            }
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void emptyResponseRejectsWithBatchEnded() {
        try (RpcSession s = session("")) {
            RpcStub api = s.main();
            assertThatThrownBy(() -> api.call("callSquare", api, 4).get("result").join(Duration.ofSeconds(5)))
                    .isInstanceOf(RpcException.class).hasMessage("Batch RPC request ended.");
        }
    }

    @Test
    void everythingIssuedBeforeTheFirstAwaitTravelsInOneRequest() {
        try (RpcSession s = session("[\"resolve\",1,9]")) {
            RpcStub main = s.main();
            RpcPromise a = main.call("square", 3);
            main.call("square", 4);
            assertThat(posted).as("nothing is posted before a result is awaited").isEmpty();
            assertThat(a.join(Duration.ofSeconds(5))).isEqualTo(9L);
            assertThat(posted).hasSize(1);
            assertThat(posted.get(0)).doesNotEndWith("\n");
            assertThat(canonLines(posted.get(0))).isEqualTo(canonLines(
                    "[\"push\",[\"pipeline\",0,[\"square\"],[3]]]",
                    "[\"push\",[\"pipeline\",0,[\"square\"],[4]]]",
                    "[\"pull\",1]"));
        }
    }

    @Test
    void pipelinedCallTravelsInTheSameRequest() {
        try (RpcSession s = session("[\"resolve\",2,7]")) {
            RpcPromise counter = s.main().call("makeCounter", 5);
            assertThat(counter.call("increment", 2).join(Duration.ofSeconds(5))).isEqualTo(7L);
            assertThat(posted).hasSize(1);
            assertThat(canonLines(posted.get(0))).isEqualTo(canonLines(
                    "[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]",
                    "[\"push\",[\"pipeline\",1,[\"increment\"],[2]]]",
                    "[\"pull\",2]"));
        }
    }

    @Test
    void rejectionInTheResponseRejectsTheCall() {
        try (RpcSession s = session("[\"reject\",1,[\"error\",\"RangeError\",\"nope\"]]")) {
            RpcPromise p = s.main().call("square", 3);
            assertThatThrownBy(() -> p.join(Duration.ofSeconds(5))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.type()).isEqualTo("RangeError");
                assertThat(e.getMessage()).isEqualTo("nope");
            });
            assertThat(canonLines(posted.get(0))).isEqualTo(canonLines(
                    "[\"push\",[\"pipeline\",0,[\"square\"],[3]]]", "[\"pull\",1]"));
        }
    }

    @Test
    void responseWithoutTheResultFailsTheCallInsteadOfHanging() {
        // The reference rejects with "Batch RPC request ended." once the response is used up.
        try (RpcSession s = session("")) {
            RpcPromise p = s.main().call("square", 3);
            assertThatThrownBy(() -> p.join(Duration.ofSeconds(5))).isInstanceOf(RpcException.class)
                    .isNotInstanceOf(capnweb.api.RpcTimeoutException.class);
            assertThat(posted).hasSize(1);
        }
    }

    @Test
    void failedPostFailsTheCall() {
        RpcSession s = ProviderRegistry.load().engine().newBatchClient(
                body -> CompletableFuture.failedFuture(new java.io.IOException("RPC request failed: 500 Internal Server Error")),
                Undefined.INSTANCE, SessionOptions.defaults());
        try (s) {
            RpcPromise p = s.main().call("square", 3);
            assertThatThrownBy(() -> p.join(Duration.ofSeconds(5))).isInstanceOf(RpcException.class)
                    .isNotInstanceOf(capnweb.api.RpcTimeoutException.class);
        }
    }
}
