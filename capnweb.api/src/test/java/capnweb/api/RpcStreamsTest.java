package capnweb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class RpcStreamsTest {

    @Test
    void publisherOfEmitsOnlyWhatWasRequested() {
        AtomicInteger pulled = new AtomicInteger();
        Iterable<Object> numbers = () -> new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Object next() {
                return pulled.incrementAndGet();
            }
        };
        List<Object> seen = new ArrayList<>();
        Flow.Subscription[] sub = new Flow.Subscription[1];
        RpcStreams.publisherOf(numbers).subscribe(new Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                sub[0] = s;
                s.request(3);
            }

            @Override
            public void onNext(Object item) {
                seen.add(item);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        assertThat(seen).containsExactly(1, 2, 3);
        sub[0].cancel();
        sub[0].request(5);
        assertThat(pulled.get()).isEqualTo(3);
    }

    @Test
    void inputStreamRoundTripsThroughChunks() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Flow.Publisher<Object> chunks = RpcStreams.fromInputStream(new ByteArrayInputStream(data), 4096);
        try (InputStream in = RpcStreams.toInputStream(chunks)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void inputStreamViewRefusesAChunkThatIsNotBytes() {
        InputStream in = RpcStreams.toInputStream(RpcStreams.publisherOf("text"));
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("java.lang.String");
    }

    @Test
    void readAllBytesFailsWithTheStreamsError() {
        Flow.Publisher<Object> failing = s -> {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            s.onError(new IllegalStateException("broken"));
        };
        CompletableFuture<byte[]> all = RpcStreams.readAllBytes(failing).toCompletableFuture();
        assertThatThrownBy(() -> all.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("broken");
    }

    @Test
    void headersKeepOrderAndRepetitionAndJoinOnGet() {
        RpcHeaders h = RpcHeaders.of("Accept", "a", "X-N", "1", "accept", "b");
        assertThat(h.pairs()).extracting(java.util.Map.Entry::getKey).containsExactly("accept", "x-n", "accept");
        assertThat(h.get("ACCEPT")).contains("a, b");
        assertThat(h.all("accept")).containsExactly("a", "b");
        assertThat(h.get("missing")).isEmpty();
        assertThatThrownBy(() -> RpcHeaders.of("only-a-name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blobIsImmutable() {
        byte[] bytes = {1, 2, 3};
        RpcBlob blob = RpcBlob.of("application/x", bytes);
        bytes[0] = 9;
        blob.bytes()[1] = 9;
        assertThat(blob.bytes()).containsExactly(1, 2, 3);
        assertThat(blob).isEqualTo(RpcBlob.of("application/x", new byte[] {1, 2, 3}));
    }

    @Test
    void bodiesAreReadWhateverTheirForm() throws Exception {
        RpcRequest text = RpcRequest.of("POST", "https://e/").withBody("héllo");
        assertThat(text.text().toCompletableFuture().get()).isEqualTo("héllo");
        RpcResponse streamed = RpcResponse.of(201, RpcHeaders.of(),
                RpcStreams.publisherOf("a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8)));
        assertThat(streamed.text().toCompletableFuture().get()).isEqualTo("ab");
        assertThat(RpcResponse.of(204, RpcHeaders.of(), null).bodyBytes().toCompletableFuture().get()).isEmpty();
        assertThatThrownBy(() -> RpcResponse.of(99, RpcHeaders.of(), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> text.withBody(42)).isInstanceOf(IllegalArgumentException.class);
    }
}
