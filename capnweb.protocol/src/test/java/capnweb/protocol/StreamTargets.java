package capnweb.protocol;

import capnweb.api.RpcBlob;
import capnweb.api.RpcHeaders;
import capnweb.api.RpcRequest;
import capnweb.api.RpcResponse;
import capnweb.api.RpcStreams;
import capnweb.api.RpcTarget;
import capnweb.api.RpcWritableStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.stream.Collectors;

/** The stream members of the interop TestTarget, for engine tests. */
final class StreamTargets {
    private StreamTargets() {
    }

    /** A writable for a target to write to: keeps every chunk, and completes once closed. */
    static final class Collector implements Flow.Subscriber<Object> {
        final List<Object> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<List<Object>> closed = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Object item) {
            received.add(item);
        }

        @Override
        public void onError(Throwable t) {
            closed.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            closed.complete(received);
        }
    }

    public static final class Main implements RpcTarget {
        public RpcBlob echoBlob(RpcBlob blob) {
            return blob;
        }

        public Flow.Publisher<Object> streamNumbers(int n) {
            List<Object> numbers = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                numbers.add(i);
            }
            return RpcStreams.publisherOf(numbers);
        }

        public CompletionStage<Double> sumStream(Flow.Publisher<Object> readable) {
            return RpcStreams.readAll(readable).thenApply(
                    chunks -> chunks.stream().mapToDouble(c -> ((Number) c).doubleValue()).sum());
        }

        public CompletionStage<Long> countBytes(InputStream in) {
            // Blocking reads belong on a thread of their own, never on the session's.
            return CompletableFuture.supplyAsync(() -> {
                try (in) {
                    long total = 0;
                    byte[] buf = new byte[65536];
                    for (int r; (r = in.read(buf)) != -1;) {
                        total += r;
                    }
                    return total;
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
        }

        public CompletionStage<Object> writeTo(RpcWritableStream writable, int n) {
            CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
            for (long i = 0; i < n; i++) {
                long value = i;
                chain = chain.thenCompose(x -> writable.write(value));
            }
            return chain.thenCompose(x -> writable.close()).thenApply(x -> capnweb.api.Undefined.INSTANCE);
        }

        public CompletionStage<RpcResponse> echoRequest(RpcRequest request) {
            return request.text().thenApply(body -> {
                String headers = request.headers().pairs().stream()
                        .map(p -> "[" + quote(p.getKey()) + "," + quote(p.getValue()) + "]")
                        .collect(Collectors.joining(","));
                String json = "{\"method\":" + quote(request.method()) + ",\"url\":" + quote(request.url())
                        + ",\"headers\":[" + headers + "],\"body\":" + quote(body) + "}";
                return RpcResponse.of(200, RpcHeaders.of("content-type", "application/json"),
                        json.getBytes(StandardCharsets.UTF_8));
            });
        }

        /** Writes {@code n} bytes 0, 1, 2... through the OutputStream view, on a thread of its own. */
        public CompletionStage<Object> writeBytes(java.io.OutputStream out, int n) {
            return CompletableFuture.supplyAsync(() -> {
                try (out) {
                    for (int i = 0; i < n; i += 1000) {
                        byte[] part = new byte[Math.min(1000, n - i)];
                        for (int k = 0; k < part.length; k++) {
                            part[k] = (byte) (i + k);
                        }
                        out.write(part);
                    }
                    return capnweb.api.Undefined.INSTANCE;
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
        }

        public Object echo(Object x) {
            return x;
        }

        public double square(double x) {
            return x * x;
        }

        private static String quote(String s) {
            return new com.google.gson.JsonPrimitive(s).toString();
        }

        public Map<String, Object> describe(RpcHeaders headers) {
            return Map.of("n", headers.pairs().size());
        }
    }
}
