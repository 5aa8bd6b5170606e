package capnweb.interop;

import capnweb.api.RpcException;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.Undefined;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import capnweb.api.RpcBlob;
import capnweb.api.RpcHeaders;
import capnweb.api.RpcRequest;
import capnweb.api.RpcResponse;
import capnweb.api.RpcStreams;
import capnweb.api.RpcWritableStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * The main object of every interop session, behaving as the reference implementation's test
 * {@code TestTarget} (see INTEROP.md). Numbers follow JavaScript: they are doubles.
 */
public final class TestTarget implements RpcTarget {
    /** Makes the main object of one session. */
    public TestTarget() {
    }

    /**
     * @param i a number
     * @return {@code i * i}
     */
    public double square(double i) {
        return i * i;
    }

    /**
     * Calls {@code square} on a stub of the caller's choosing, without waiting for it.
     *
     * @param self this server's own main object, or an object of the client's
     * @param i the number to square
     * @return {@code {result: self.square(i)}}, the result still a promise
     */
    public Map<String, Object> callSquare(RpcStub self, double i) {
        return Collections.singletonMap("result", self.call("square", i));
    }

    /**
     * Calls a function of the client's and waits for it.
     *
     * @param func the function
     * @param i its argument
     * @return {@code {result: await func(i)}}; rejects with the function's error if it fails
     */
    public CompletionStage<Map<String, Object>> callFunction(RpcStub func, double i) {
        return func.invoke(i).thenApply(result -> Collections.singletonMap("result", result));
    }

    /**
     * Always fails.
     *
     * @return nothing
     * @throws RpcException a {@code RangeError} with the message {@code test error}
     */
    public Object throwError() {
        throw RpcException.of("RangeError", "test error");
    }

    /**
     * @param i the counter's first value
     * @return a new counter, passed by reference
     */
    public Counter makeCounter(double i) {
        return new Counter(i);
    }

    /**
     * Increments a counter by one.
     *
     * @param c a counter of this server's or of the client's
     * @return the counter's new value
     */
    public CompletionStage<Object> incrementCounter(RpcStub c) {
        return incrementCounter(c, 1);
    }

    /**
     * Increments a counter.
     *
     * @param c a counter of this server's or of the client's
     * @param i what to add
     * @return the counter's new value
     */
    public CompletionStage<Object> incrementCounter(RpcStub c, double i) {
        return c.call("increment", i);
    }

    /**
     * @param n how many numbers
     * @return the first {@code n} Fibonacci numbers, starting {@code 0, 1, 1, 2}
     */
    public List<Double> generateFibonacci(double n) {
        List<Double> result = new ArrayList<>();
        double a = 0;
        double b = 1;
        while (result.size() < n) {
            result.add(a);
            double next = a + b;
            a = b;
            b = next;
        }
        return result;
    }

    /** @return {@code null} */
    public Object returnNull() {
        return null;
    }

    /** @return {@code undefined} */
    public Object returnUndefined() {
        return Undefined.INSTANCE;
    }

    /**
     * @param i a number
     * @return {@code i}
     */
    public Object returnNumber(Object i) {
        return i;
    }

    /**
     * Returns its argument. The session releases a call's arguments when the call returns, so
     * the stubs inside {@code x} are duplicated for the result, as the reference's own echo must.
     *
     * @param x any value
     * @return {@code x}, unchanged
     */
    public Object echo(Object x) {
        return retain(x);
    }

    private static Object retain(Object value) {
        if (value instanceof RpcStub) {
            return ((RpcStub) value).dup();
        }
        if (value instanceof List) {
            List<Object> copy = new ArrayList<>();
            for (Object element : (List<?>) value) {
                copy.add(retain(element));
            }
            return copy;
        }
        if (value instanceof Map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                copy.put(e.getKey(), retain(e.getValue()));
            }
            return copy;
        }
        return value;
    }

    /**
     * Adds like JavaScript's {@code +} for numbers and strings.
     *
     * @param a a number or string
     * @param b a number or string
     * @return the sum of two numbers, or the concatenation when either is a string
     */
    public Object add(Object a, Object b) {
        if (a instanceof Number && b instanceof Number) {
            return ((Number) a).doubleValue() + ((Number) b).doubleValue();
        }
        if (a instanceof String || b instanceof String) {
            return JsText.of(a) + JsText.of(b);
        }
        throw RpcException.of("TypeError", "add() takes two numbers or two strings, got "
                + JsText.typeOf(a) + " and " + JsText.typeOf(b) + ".");
    }

    // ------------------------------------------------------------------------------------------
    // Stream members (INTEROP.md, "Stream members")

    /**
     * @param blob a blob
     * @return the same blob, type and bytes
     */
    public RpcBlob echoBlob(RpcBlob blob) {
        return blob;
    }

    /**
     * @param n how many numbers
     * @return a stream of the numbers 0..n-1, one chunk each, produced as the reader asks
     */
    public Flow.Publisher<Object> streamNumbers(int n) {
        return RpcStreams.publisherOf(() -> new Iterator<Object>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Object next() {
                return (double) next++;
            }
        });
    }

    /**
     * @param readable a stream of numbers
     * @return their sum; rejects with the stream's error if it fails
     */
    public CompletionStage<Double> sumStream(Flow.Publisher<Object> readable) {
        return RpcStreams.readAll(readable).thenApply(chunks -> {
            double sum = 0;
            for (Object chunk : chunks) {
                if (!(chunk instanceof Number)) {
                    throw RpcException.of("TypeError", "sumStream() reads numbers, got " + JsText.typeOf(chunk) + ".");
                }
                sum += ((Number) chunk).doubleValue();
            }
            return sum;
        });
    }

    /**
     * @param in a stream of byte chunks, read as an InputStream on a thread of its own
     * @return the total number of bytes; rejects with the stream's error if it fails
     */
    public CompletionStage<Double> countBytes(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                long total = 0;
                byte[] buffer = new byte[64 * 1024];
                for (int r; (r = in.read(buffer)) != -1;) {
                    total += r;
                }
                return (double) total;
            } catch (IOException e) {
                // The stream's own error, when it failed (as the reference's for-await rethrows it).
                throw new CompletionException(e.getCause() instanceof RpcException
                        ? e.getCause() : RpcException.of("TypeError", e.getMessage()));
            }
        }, READERS);
    }

    private static final java.util.concurrent.Executor READERS = task -> {
        Thread t = new Thread(task, "interop-countBytes");
        t.setDaemon(true);
        t.start();
    };

    /**
     * Writes the numbers 0..n-1, each once the stream's window allows, then closes the stream.
     *
     * @param writable the client's stream
     * @param n how many numbers
     * @return undefined once the close completed; rejects if a write fails
     */
    public CompletionStage<Object> writeTo(RpcWritableStream writable, int n) {
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < n; i++) {
            double value = i;
            chain = chain.thenCompose(x -> writable.write(value));
        }
        return chain.thenCompose(x -> writable.close()).thenApply(x -> Undefined.INSTANCE);
    }

    /**
     * @param request any request
     * @return a 200 {@code application/json} response whose body is {@code {method, url, headers, body}}
     */
    public CompletionStage<RpcResponse> echoRequest(RpcRequest request) {
        return request.text().thenApply(body -> {
            StringBuilder json = new StringBuilder("{\"method\":").append(JsText.quote(request.method()))
                    .append(",\"url\":").append(JsText.quote(request.url())).append(",\"headers\":[");
            String separator = "";
            for (Map.Entry<String, String> h : request.headers().pairs()) {
                json.append(separator).append('[').append(JsText.quote(h.getKey())).append(',')
                        .append(JsText.quote(h.getValue())).append(']');
                separator = ",";
            }
            json.append("],\"body\":").append(JsText.quote(body)).append('}');
            return RpcResponse.of(200, RpcHeaders.of("content-type", "application/json"),
                    json.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * A stream of {@code total} zero bytes in chunks of {@code chunkSize}, produced as the reader
     * asks (for large-transfer tests).
     *
     * @param total how many bytes
     * @param chunkSize bytes per chunk
     * @return the stream
     */
    public Flow.Publisher<Object> streamBytes(double total, int chunkSize) {
        if (chunkSize <= 0) {
            throw RpcException.of("RangeError", "chunkSize must be positive, got " + chunkSize + ".");
        }
        long bytes = (long) total;
        byte[] chunk = new byte[chunkSize];
        return RpcStreams.publisherOf(() -> new Iterator<Object>() {
            private long left = bytes;

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public Object next() {
                int n = (int) Math.min(left, chunkSize);
                left -= n;
                return n == chunkSize ? chunk : new byte[n];
            }
        });
    }
}
