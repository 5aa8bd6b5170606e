package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStreams;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.RpcWritableStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The README's examples of map(), local stubs and streams, run as written there. */
class ReadmeExamplesTest {

    /** The "Streams" example's target. */
    public static final class Store implements RpcTarget {
        private final Map<String, byte[]> files = new ConcurrentHashMap<>();
        private final ExecutorService io = Executors.newCachedThreadPool();

        public Flow.Publisher<Object> download(String name) {
            return RpcStreams.fromInputStream(new ByteArrayInputStream(files.get(name)), 64 * 1024);
        }

        public CompletionStage<Integer> upload(String name, InputStream in) {
            return CompletableFuture.supplyAsync(() -> {
                try (in) {
                    byte[] bytes = in.readAllBytes();
                    files.put(name, bytes);
                    return bytes.length;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, io);
        }

        public CompletionStage<Void> countTo(RpcWritableStream out, int n) {
            CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 1; i <= n; i++) {
                long value = i;
                chain = chain.thenCompose(x -> out.write(value));
            }
            return chain.thenCompose(x -> out.close());
        }
    }

    @Test
    void theStreamsExampleSendsReadsAndWritesStreams() throws Exception {
        try (Harness h = new Harness(new Store())) {
            RpcStub api = h.main;
            byte[] part1 = "Hello, ".getBytes(StandardCharsets.UTF_8);
            byte[] part2 = "streams".getBytes(StandardCharsets.UTF_8);

            assertThat(api.call("upload", "a.txt", RpcStreams.publisherOf(part1, part2)).join()).isEqualTo(14L);
            byte[] back = RpcStreams.readAllBytes((Flow.Publisher<?>) api.call("download", "a.txt").join())
                    .toCompletableFuture().join();
            assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo("Hello, streams");

            StreamTargets.Collector subscriber = new StreamTargets.Collector();
            api.call("countTo", subscriber, 3).join();
            assertThat(subscriber.closed.join()).containsExactly(1L, 2L, 3L);
        }
    }

    /** The "map()" and "Stubs of local objects" examples' server. */
    public static final class Users implements RpcTarget {
        final List<Object> notified = new CopyOnWriteArrayList<>();

        public List<Long> listUserIds() {
            return List.of(1L, 2L, 3L);
        }

        public Map<String, Object> getUser(long id) {
            return Map.of("id", id, "name", "user" + id);
        }

        public RpcPromise subscribe(long id, RpcStub listener) {
            return listener.call("onEvent", "welcome " + id);
        }
    }

    /** The local object the client hands out. */
    public static final class Listener implements RpcTarget {
        final List<Object> events = new CopyOnWriteArrayList<>();

        public void onEvent(String event) {
            events.add(event);
        }
    }

    @Test
    void theMapAndLocalStubExamplesWorkAsWritten() {
        try (Harness h = new Harness(new Users())) {
            RpcStub api = h.main;
            RpcPromise ids = api.call("listUserIds");
            RpcPromise names = ids.map(id -> api.call("getUser", id).get("name"));
            List<?> all = (List<?>) names.join();
            assertThat(all).isEqualTo(List.of("user1", "user2", "user3"));

            Listener target = new Listener();
            try (RpcStub listener = RpcStub.of(target)) {
                ids.map(id -> api.call("subscribe", id, listener)).join();
            }
            assertThat(target.events).containsExactly("welcome 1", "welcome 2", "welcome 3");

            CompletableFuture<RpcStub> connecting = new CompletableFuture<>();
            RpcPromise backend = RpcPromise.of(connecting);
            RpcPromise answer = backend.call("getUser", 7);
            connecting.complete(h.client.main());
            assertThat(answer.get("name").join()).isEqualTo("user7");
            answer.close();
            backend.close();
            ids.close();
            names.close();
        }
    }

    @Test
    void aStreamInAnAwaitedResultCanStillBeReadAfterwards() {
        try (Harness h = new Harness(new Store())) {
            h.main.call("upload", "b", RpcStreams.publisherOf(new byte[] {1, 2, 3})).join();
            List<Object> chunks = new ArrayList<>();
            Object stream = h.main.call("download", "b").join();
            chunks.addAll(RpcStreams.readAll((Flow.Publisher<?>) stream).toCompletableFuture().join());
            assertThat(chunks).hasSize(1);
            assertThat((byte[]) chunks.get(0)).containsExactly(1, 2, 3);
        }
    }
}
