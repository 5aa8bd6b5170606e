package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import capnweb.api.CapnWeb;
import capnweb.api.RpcSession;
import capnweb.api.SessionOptions;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A scripted peer: the {@link MessageTransport} of a Java session whose other end is the test.
 *
 * <p>Every frame the Java side sends is recorded and can be awaited one by one; the test injects
 * frames as the peer would send them. Comparisons are made on parsed JSON trees in a canonical
 * form (numbers by value, so {@code 9} equals {@code 9.0}; array order and object key order
 * significant), because formatting is not part of the protocol but order is.
 */
final class RawPeer implements MessageTransport {
    /** How long a test waits for a frame it expects. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** How long a test waits to be sure that nothing more is sent. */
    static final Duration QUIET = Duration.ofMillis(250);

    private final BlockingQueue<String> outbox = new LinkedBlockingQueue<>();
    private final List<String> history = new CopyOnWriteArrayList<>();
    private final CompletableFuture<MessageReceiver> receiver = new CompletableFuture<>();
    private final CompletableFuture<Throwable> aborted = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile int starts;

    /** Starts a Java session over a new raw peer. */
    static RawPeer.Connected connect(Object localMain) {
        return connect(localMain, SessionOptions.defaults());
    }

    /** Starts a Java session over a new raw peer with the given options. */
    static RawPeer.Connected connect(Object localMain, SessionOptions options) {
        RawPeer peer = new RawPeer();
        RpcSession session = CapnWeb.newSession(peer, localMain, options);
        return new Connected(peer, session);
    }

    /** A session and the raw peer at its other end. */
    record Connected(RawPeer peer, RpcSession session) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    // ---------------------------------------------------------------- MessageTransport

    @Override
    public void start(MessageReceiver r) {
        starts++;
        receiver.complete(r);
    }

    @Override
    public void send(String message) {
        history.add(message);
        outbox.add(message);
    }

    @Override
    public void close() {
        closed.complete(null);
    }

    @Override
    public void abort(Throwable reason) {
        aborted.complete(reason);
    }

    // ---------------------------------------------------------------- acting as the peer

    /** Delivers frames to the Java side, in order, as the peer sending them. */
    void inject(String... frames) {
        MessageReceiver r = receiver();
        for (String frame : frames) {
            r.onMessage(frame);
        }
    }

    /** Tells the Java side that the transport was lost. */
    void lose(Throwable cause) {
        receiver().onClosed(cause);
    }

    private MessageReceiver receiver() {
        try {
            return receiver.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the session never called MessageTransport.start()", e);
        }
    }

    /** @return how many times the session called start(); must be exactly once */
    int starts() {
        return starts;
    }

    // ---------------------------------------------------------------- observing the Java side

    /** Waits for the next frame the Java side sends and returns its text. */
    String nextRaw() {
        try {
            String frame = outbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("expected a frame within " + WAIT + " but none was sent; sent so far: " + history);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the next frame and parses it. */
    JsonElement next() {
        String raw = nextRaw();
        try {
            return parse(raw);
        } catch (RuntimeException e) {
            throw new AssertionError("the Java side sent a frame that is not JSON: " + raw, e);
        }
    }

    /** Asserts that the next frame is exactly {@code json} (as a JSON tree). */
    void expect(String json) {
        String raw = nextRaw();
        assertThat(raw).as("a frame is one line of JSON").doesNotContain("\n");
        assertThat(canon(parse(raw))).as("frame sent by the Java side").isEqualTo(canon(parse(json)));
    }

    /** Asserts that the next frames are exactly {@code jsons}, in any order. */
    void expectUnordered(String... jsons) {
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < jsons.length; i++) {
            actual.add(canon(next()));
        }
        List<String> expected = new ArrayList<>();
        for (String json : jsons) {
            expected.add(canon(parse(json)));
        }
        assertThat(actual).as("frames sent by the Java side").containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Asserts that nothing is sent during a short quiet period. */
    void expectNothing() {
        expectNothing(QUIET);
    }

    /** Asserts that nothing is sent during {@code quiet}. */
    void expectNothing(Duration quiet) {
        try {
            String frame = outbox.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            if (frame != null) {
                fail("expected no more frames, but the Java side sent " + frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Removes and returns every frame sent but not yet consumed. */
    List<String> drain() {
        List<String> out = new ArrayList<>();
        outbox.drainTo(out);
        return out;
    }

    /** @return every frame the Java side sent, in order */
    List<String> history() {
        return List.copyOf(history);
    }

    /** Waits until the Java side aborts the transport, and returns the reason it gave. */
    Throwable awaitAborted() {
        try {
            return aborted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the session did not abort its transport within " + WAIT
                    + " (closed: " + closed.isDone() + "); sent: " + history, e);
        }
    }

    /** Waits until the Java side either closes or aborts the transport. */
    void awaitEnded() {
        try {
            CompletableFuture.anyOf(aborted, closed).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the session neither closed nor aborted its transport", e);
        }
    }

    boolean isAborted() {
        return aborted.isDone();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /**
     * Asserts that the next frame is {@code ["abort", ["error", type, message]]} (stack redacted)
     * and that the transport is then aborted.
     */
    void expectAbort(String type, String message) {
        JsonElement frame = next();
        JsonArray expected = new JsonArray();
        expected.add("abort");
        JsonArray error = new JsonArray();
        error.add("error");
        error.add(type);
        error.add(message);
        expected.add(error);
        assertThat(canon(frame)).as("abort frame").isEqualTo(canon(expected));
        awaitAborted();
    }

    /**
     * Asserts that the next frame is an abort carrying an error whose message contains every one of
     * {@code fragments} (case-insensitive), then that the transport is aborted. For problems whose
     * wording the reference does not fix (e.g. a JSON parser's message).
     *
     * @return the error expression of the abort
     */
    JsonArray expectAbortMentioning(String... fragments) {
        JsonElement frame = next();
        assertThat(frame.isJsonArray()).as("abort frame %s", frame).isTrue();
        JsonArray msg = frame.getAsJsonArray();
        assertThat(msg.size()).as("abort frame %s", frame).isEqualTo(2);
        assertThat(msg.get(0).getAsString()).as("abort frame %s", frame).isEqualTo("abort");
        JsonArray error = msg.get(1).getAsJsonArray();
        assertThat(error.get(0).getAsString()).as("abort reason %s", error).isEqualTo("error");
        assertThat(error.size()).as("abort reason %s has no stack by default", error).isEqualTo(3);
        String text = error.get(2).getAsString();
        for (String fragment : fragments) {
            assertThat(text).as("abort message").containsIgnoringCase(fragment);
        }
        awaitAborted();
        return error;
    }

    // ---------------------------------------------------------------- JSON helpers

    /** Parses without a nesting limit: the protocol limits expression depth, not JSON depth. */
    static JsonElement parse(String json) {
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setNestingLimit(Integer.MAX_VALUE);
        JsonElement e = JsonParser.parseReader(reader);
        try {
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("trailing data after JSON value: " + json);
            }
        } catch (IOException x) {
            throw new IllegalArgumentException(x);
        }
        return e;
    }

    /**
     * A canonical text of a JSON tree: numbers by value (no trailing zeros, no exponent), arrays
     * and object members in their order, strings escaped as Gson does.
     */
    static String canon(JsonElement e) {
        StringBuilder sb = new StringBuilder();
        canon(e, sb);
        return sb.toString();
    }

    private static void canon(JsonElement e, StringBuilder sb) {
        if (e == null || e.isJsonNull()) {
            sb.append("null");
        } else if (e.isJsonArray()) {
            sb.append('[');
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                canon(a.get(i), sb);
            }
            sb.append(']');
        } else if (e.isJsonObject()) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonElement> m : ((JsonObject) e).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(new JsonPrimitive(m.getKey())).append(':');
                canon(m.getValue(), sb);
            }
            sb.append('}');
        } else {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isNumber()) {
                BigDecimal d = new BigDecimal(p.getAsString());
                sb.append(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
            } else {
                sb.append(p);
            }
        }
    }

    /** Polls {@code condition} until it holds or {@link #WAIT} passes. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
