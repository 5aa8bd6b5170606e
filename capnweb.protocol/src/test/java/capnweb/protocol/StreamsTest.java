package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.RpcBlob;
import capnweb.api.RpcHeaders;
import capnweb.api.RpcReadableStream;
import capnweb.api.RpcRequest;
import capnweb.api.RpcResponse;
import capnweb.api.RpcStreams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streams, blobs and Fetch values between two Java sessions. */
@Timeout(30)
class StreamsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void readableStreamReturnedByATargetDeliversEveryChunkInOrder() throws Exception {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            Object stream = h.main.call("streamNumbers", 5).join(WAIT);
            assertThat(stream).isInstanceOf(RpcReadableStream.class);
            List<Object> chunks = RpcStreams.readAll((Flow.Publisher<?>) stream).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(chunks).containsExactly(0L, 1L, 2L, 3L, 4L);
        }
    }

    @Test
    void readableStreamSentAsAnArgumentIsSummed() {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            Object sum = h.main.call("sumStream", RpcStreams.publisherOf(1, 2, 3.5)).join(WAIT);
            assertThat(sum).isEqualTo(6.5);
        }
    }

    @Test
    void byteChunksReachAnInputStreamParameter() {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            Object count = h.main.call("countBytes",
                    RpcStreams.publisherOf(new byte[1000], new byte[24], new byte[0], new byte[7])).join(WAIT);
            assertThat(count).isEqualTo(1031L);
        }
    }

    @Test
    void aFailingStreamRejectsTheCallThatReadsIt() {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            Flow.Publisher<Object> failing = subscriber -> {
                subscriber.onSubscribe(new Flow.Subscription() {
                    private boolean sent;

                    @Override
                    public void request(long n) {
                        if (!sent) {
                            sent = true;
                            subscriber.onNext(1L);
                            subscriber.onError(new IllegalStateException("disk on fire"));
                        }
                    }

                    @Override
                    public void cancel() {
                    }
                });
            };
            assertThatThrownBy(() -> h.main.call("sumStream", failing).join(WAIT)).hasMessageContaining("disk on fire");
        }
    }

    @Test
    void targetWritesToAWritableStreamOfTheCaller() throws Exception {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            StreamTargets.Collector sink = new StreamTargets.Collector();
            h.main.call("writeTo", sink, 4).join(WAIT);
            assertThat(sink.closed.get(10, TimeUnit.SECONDS)).containsExactly(0L, 1L, 2L, 3L);
        }
    }

    @Test
    void blobComesBackWithItsTypeAndBytes() {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            RpcBlob blob = RpcBlob.of("text/plain", "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(h.main.call("echoBlob", blob).join(WAIT)).isEqualTo(blob);
            RpcBlob empty = RpcBlob.of("", new byte[0]);
            assertThat(h.main.call("echoBlob", empty).join(WAIT)).isEqualTo(empty);
        }
    }

    @Test
    void headersRoundTripInOrder() {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            RpcHeaders headers = RpcHeaders.of("X-B", "2", "x-a", "1", "x-b", "3");
            assertThat(h.main.call("echo", headers).join(WAIT)).isEqualTo(headers);
        }
    }

    @Test
    void requestIsAnsweredWithAResponseDescribingIt() throws Exception {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            RpcRequest request = RpcRequest.of("POST", "https://example.com/x")
                    .withHeaders(RpcHeaders.of("content-type", "text/plain"))
                    .withBody(RpcStreams.publisherOf("hi ".getBytes(StandardCharsets.UTF_8),
                            "there".getBytes(StandardCharsets.UTF_8)));
            RpcResponse response = (RpcResponse) h.main.call("echoRequest", request).join(WAIT);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type")).contains("application/json");
            assertThat(response.text().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(
                    "{\"method\":\"POST\",\"url\":\"https://example.com/x\",\"headers\":[[\"content-type\","
                            + "\"text/plain\"]],\"body\":\"hi there\"}");
        }
    }

    @Test
    void streamsAndCallsLeaveNothingBehind() throws Exception {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            assertThat(h.main.call("sumStream", RpcStreams.publisherOf(1, 2)).join(WAIT)).isEqualTo(3L);
            Object stream = h.main.call("streamNumbers", 3).join(WAIT);
            RpcStreams.readAll((Flow.Publisher<?>) stream).toCompletableFuture().get(10, TimeUnit.SECONDS);
            h.awaitBaseline();
            assertThat(h.client.stats()).isEqualTo(new capnweb.api.SessionStats(1, 1));
            assertThat(h.server.stats()).isEqualTo(new capnweb.api.SessionStats(1, 1));
        }
    }

    @Test
    void targetWritesThroughAnOutputStreamView() throws Exception {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            java.io.ByteArrayOutputStream collected = new java.io.ByteArrayOutputStream();
            CompletableFuture<byte[]> done = new CompletableFuture<>();
            Flow.Subscriber<Object> sink = new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Object item) {
                    collected.writeBytes((byte[]) item);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    done.complete(collected.toByteArray());
                }
            };
            h.main.call("writeBytes", sink, 2500).join(WAIT);
            byte[] bytes = done.get(10, TimeUnit.SECONDS);
            assertThat(bytes).hasSize(2500);
            for (int i = 0; i < bytes.length; i++) {
                assertThat(bytes[i]).isEqualTo((byte) i);
            }
        }
    }

    @Test
    void lostConnectionFailsBothEndsOfAStream() throws Exception {
        StreamsFlowTest.Gate gate = new StreamsFlowTest.Gate();
        try (Harness h = new Harness(gate)) {
            java.util.concurrent.atomic.AtomicInteger produced = new java.util.concurrent.atomic.AtomicInteger();
            capnweb.api.RpcPromise upload = h.main.call("hold", StreamsFlowTest.counted(1000, produced), 2);
            StreamsFlowTest.plateau(produced);
            h.clientTransport.lose(new java.io.IOException("cable cut"));
            assertThatThrownBy(() -> upload.join(WAIT)).hasMessageContaining("cable cut");
            assertThatThrownBy(() -> gate.total.get(10, TimeUnit.SECONDS)).isInstanceOf(
                    java.util.concurrent.ExecutionException.class);
            assertThat(produced.get()).isLessThan(1000);
        }
    }

    @Test
    void subscriberThatBlocksInOnNextDoesNotStallTheSession() throws Exception {
        try (Harness h = new Harness(new StreamTargets.Main())) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            List<Object> received = new java.util.concurrent.CopyOnWriteArrayList<>();
            Flow.Subscriber<Object> sink = new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Object item) {
                    blocked.complete(null);
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    received.add(item);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            };
            capnweb.api.RpcPromise writing = h.main.call("writeTo", sink, 3);
            blocked.get(10, TimeUnit.SECONDS);
            assertThat(h.main.call("square", 7).join(WAIT)).isEqualTo(49L);
            release.countDown();
            writing.join(WAIT);
            assertThat(received).containsExactly(0L, 1L, 2L);
        }
    }
}
