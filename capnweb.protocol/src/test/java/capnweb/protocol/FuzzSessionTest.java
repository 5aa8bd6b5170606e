package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcBlob;
import capnweb.api.RpcException;
import capnweb.api.RpcSession;
import capnweb.api.RpcStreams;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.RpcWritableStream;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing the decoder and the session: frames made at random, and valid frames mutated at the
 * character and at the JSON level, fed to server sessions through an in-memory transport. After
 * each frame the session must either go on (and still answer a probe call) or have aborted
 * cleanly (its transport aborted, an abort message last if it sent one); nothing may escape a
 * session task or a thread; what it sends is always a protocol message; and a fresh session
 * works afterwards. One fixed seed and a few random ones, each logged so a failure can be replayed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuzzSessionTest {
    private static final int FRAMES_PER_SEED = 1000;
    private static final int FRAMES_PER_SESSION = 40;
    private static final int BATCHES = Integer.getInteger("fuzz.batches", 1000);
    private static final long FIXED_SEED = 0x5EED_CAFEL;
    private static final Set<String> MESSAGE_TYPES = Set.of("push", "pull", "resolve", "reject", "release",
            "abort", "stream", "pipe");

    /** Every member is bounded in time and memory, whatever the arguments. */
    public static final class FuzzTarget implements RpcTarget {
        public double add(double a, double b) {
            return a + b;
        }

        public double square(double x) {
            return x * x;
        }

        public Object echo(Object value) {
            return value;
        }

        public Counter makeCounter(long start) {
            return new Counter(start);
        }

        public CompletionStage<Object> callFunction(RpcStub function, Object argument) {
            return function.invoke(argument);
        }

        public void throwError() {
            throw new IllegalStateException("thrown on purpose");
        }

        public CompletionStage<Object> hang() {
            return new CompletableFuture<>();
        }

        public List<Long> generate(int n) {
            return LongStream.range(0, bounded(n)).boxed().toList();
        }

        public Flow.Publisher<Object> streamNumbers(int n) {
            return RpcStreams.publisherOf(new ArrayList<>(generate(n)));
        }

        public CompletionStage<Integer> countChunks(Flow.Publisher<Object> readable) {
            return RpcStreams.readAll(readable).thenApply(List::size);
        }

        public CompletionStage<Object> writeTo(RpcWritableStream writable, int n) {
            CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
            for (long i = 0; i < bounded(n); i++) {
                long value = i;
                chain = chain.thenCompose(x -> writable.write(value));
            }
            return chain.thenCompose(x -> writable.close()).thenApply(x -> Undefined.INSTANCE);
        }

        public RpcBlob echoBlob(RpcBlob blob) {
            return blob;
        }

        private static int bounded(int n) {
            return Math.max(0, Math.min(n, 64));
        }
    }

    /** A counter passed by reference. */
    public static final class Counter implements RpcTarget, AutoCloseable {
        private long value;

        Counter(long value) {
            this.value = value;
        }

        public long increment(long by) {
            value += by;
            return value;
        }

        public long value() {
            return value;
        }

        @Override
        public void close() {
        }
    }

    private static final List<String> CORPUS = List.of(
            "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]",
            "[\"pull\",1]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[{\"a\":[[1,2,3]],\"b\":[\"bigint\",\"123\"],\"c\":[\"date\",1700000000000],"
                    + "\"d\":[\"bytes\",\"AQID\"],\"e\":[\"undefined\"],\"f\":[\"inf\"],\"g\":[\"nan\"],\"h\":[\"-inf\"],"
                    + "\"i\":[\"url\",\"https://example.com/x\"],\"j\":[\"error\",\"RangeError\",\"r\"]}]]]",
            "[\"push\",[\"pipeline\",0,[\"makeCounter\"],[5]]]",
            "[\"push\",[\"pipeline\",2,[\"increment\"],[3]]]",
            "[\"push\",[\"pipeline\",2,[\"value\"]]]",
            "[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\",-1],4]]]",
            "[\"resolve\",-1,16]",
            "[\"reject\",-1,[\"error\",\"RangeError\",\"nope\"]]",
            "[\"release\",1,1]",
            "[\"release\",-1,1]",
            "[\"push\",[\"pipeline\",0,[\"generate\"],[3]]]",
            "[\"push\",[\"remap\",1,[],[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]],"
                    + "[\"pipeline\",1]]]]",
            "[\"push\",[\"pipeline\",0,[\"throwError\"],[]]]",
            "[\"push\",[\"pipeline\",0,[\"hang\"],[]]]",
            "[\"stream\",[\"pipeline\",0,[\"add\"],[3,4]]]",
            "[\"push\",[\"import\",0]]",
            "[\"push\",[\"pipeline\",1,[\"a\",0,\"b\"]]]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"promise\",-2]]]]",
            // resolves the peer's promise -2 to our export 1, whose value may hold that promise
            "[\"resolve\",-2,[\"import\",1]]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[[[\"export\",-3],[\"export\",-3]]]]]]",
            "[\"push\",[\"pipeline\",0,[\"add\"],[[\"pipeline\",1],[\"pipeline\",0,[\"square\"],[2]]]]]",
            // streams: a pipe the peer writes and we read, a writable of the peer's, a stream of ours
            "[\"pipe\"]",
            "[\"stream\",[\"pipeline\",1,[\"write\"],[[\"bytes\",\"AQID\"]]]]",
            "[\"stream\",[\"pipeline\",1,[\"close\"],[]]]",
            "[\"push\",[\"pipeline\",0,[\"countChunks\"],[[\"readable\",1]]]]",
            "[\"push\",[\"pipeline\",0,[\"writeTo\"],[[\"writable\",-1],2]]]",
            "[\"push\",[\"pipeline\",0,[\"streamNumbers\"],[2]]]",
            "[\"push\",[\"pipeline\",0,[\"echoBlob\"],[[\"blob\",\"text/plain\",[\"readable\",1]]]]]",
            // Fetch values
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"request\",\"https://example.com/a\",{\"method\":\"PUT\","
                    + "\"headers\":[[\"content-type\",\"text/plain\"]],\"body\":[\"readable\",1]}]]]]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"response\",\"body\",{\"status\":404,"
                    + "\"headers\":[[\"x-a\",\"1\"]]}],[\"headers\",[[\"a\",\"b\"]]]]]]",
            "[\"abort\",[\"error\",\"Error\",\"bye\"]]");

    private static final String[] NAMES = {"push", "pull", "resolve", "reject", "release", "abort", "stream",
        "pipe", "export", "import", "promise", "pipeline", "remap", "bigint", "date", "bytes", "error", "undefined",
        "inf", "-inf", "nan", "url", "readable", "writable", "blob", "request", "response", "headers",
        "add", "echo", "makeCounter", "increment", "value", "callFunction", "hang", "countChunks", "writeTo",
        "write", "close", "__proto__", "constructor", "prototype", "toString", "getClass", "", "\u0000", "\uD800",
        "💥"};
    /** How many of {@link #NAMES}, from the first, are message types and special forms. */
    private static final int SPECIAL_NAMES = 28;
    private static final double[] NUMBERS = {0, 1, 2, 3, -1, -2, -3, 0.5, -0.0, 1e308, -1e308, 9007199254740993.0,
        4294967296.0, Integer.MAX_VALUE, Long.MIN_VALUE, 1e-320, 1_000_000};

    private final AtomicReference<Throwable> uncaught = new AtomicReference<>();
    private Thread.UncaughtExceptionHandler previousHandler;
    private long escapedBefore;
    private int probes;
    private int sessions;
    private int aborted;
    private int probesAnswered;
    /** Stream messages the sessions sent: a sign that the frames reach the stream machinery. */
    private int streamMessages;

    @BeforeEach
    void watchForEscapes() {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.compareAndSet(null, e));
        escapedBefore = SessionExecutor.ESCAPED.get();
    }

    @AfterEach
    void restore() {
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }

    @Test
    void randomAndMutatedFramesNeverBreakTheEngine() {
        List<Long> seeds = new ArrayList<>(List.of(FIXED_SEED));
        Random seedSource = new Random();
        // -Dfuzz.randomSeeds=N runs more, for a longer search (with
        // -Djunit.jupiter.execution.timeout.mode=disabled, as they take more than the timeout).
        for (int i = 0; i < Integer.getInteger("fuzz.randomSeeds", 3); i++) {
            seeds.add(seedSource.nextLong());
        }
        for (long seed : seeds) {
            System.out.println("FuzzSessionTest seed " + seed + " (replay with FIXED_SEED = " + seed + "L)");
            sessions = 0;
            aborted = 0;
            probesAnswered = 0;
            streamMessages = 0;
            fuzz(seed);
            System.out.println("  " + FRAMES_PER_SEED + " frames, " + sessions + " sessions, " + aborted
                    + " aborted, " + probesAnswered + " probes answered, " + streamMessages + " stream messages sent");
            // Both outcomes must occur, or the generator has degenerated.
            assertThat(aborted).as("sessions aborted with seed %d", seed).isPositive();
            assertThat(probesAnswered).as("probes answered with seed %d", seed).isPositive();
            assertThat(streamMessages).as("stream messages sent with seed %d", seed).isPositive();
            assertThat(uncaught.get()).as("uncaught exception with seed %d", seed).isNull();
            assertThat(SessionExecutor.ESCAPED.get() - escapedBefore)
                    .as("errors that escaped a session task with seed %d", seed).isZero();
            assertFreshSessionWorks();
        }
    }

    /**
     * HTTP batches made of the same frames: every batch is answered (none waits for ever), with
     * protocol messages only and an abort, if any, last; nothing escapes; and a batch served
     * afterwards works. A batch that pulls {@code hang()} waits as long as the application does,
     * so bodies naming it are left out.
     */
    @Test
    void randomBatchesAreAlwaysAnsweredAndNeverBreakTheEngine() throws Exception {
        long seed = Long.getLong("fuzz.batchSeed", new Random().nextLong());
        System.out.println("FuzzSessionTest batch seed " + seed + " (replay with -Dfuzz.batchSeed=" + seed + ")");
        Random random = new Random(seed);
        int batches = 0;
        int abortedBatches = 0;
        int answeredBatches = 0;
        while (batches < BATCHES) {
            List<String> frames = new ArrayList<>();
            int n = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                frames.add(nextFrame(random));
            }
            String body = String.join("\n", frames);
            if (body.contains("hang")) {
                continue;
            }
            batches++;
            String response;
            try {
                response = BatchServer.serve(body, new FuzzTarget(), SessionOptions.defaults(), null)
                        .toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("seed " + seed + ": no answer within 5 seconds to the batch " + body, e);
            }
            List<String> lines = response.isEmpty() ? List.of() : List.of(response.split("\n", -1));
            for (String line : lines) {
                assertThat(isProtocolMessage(line)).as("seed %d, batch %s answered %s", seed, body, line).isTrue();
            }
            int abortAt = indexOfAbort(lines);
            if (abortAt >= 0) {
                abortedBatches++;
                assertThat(abortAt).as("seed %d: the abort is the last line for %s", seed, body)
                        .isEqualTo(lines.size() - 1);
            } else if (lines.stream().anyMatch(l -> l.startsWith("[\"resolve\"") || l.startsWith("[\"reject\""))) {
                answeredBatches++;
            }
        }
        System.out.println("  " + batches + " batches, " + abortedBatches + " aborted, " + answeredBatches
                + " answered a pull");
        // Both outcomes must occur, or the generator has degenerated.
        assertThat(abortedBatches).as("batches aborted with seed %d", seed).isPositive();
        assertThat(answeredBatches).as("batches that answered a pull with seed %d", seed).isPositive();
        assertThat(uncaught.get()).as("uncaught exception with seed %d", seed).isNull();
        assertThat(SessionExecutor.ESCAPED.get() - escapedBefore)
                .as("errors that escaped a session task with seed %d", seed).isZero();
        assertThat(BatchServer.serve("[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]", new FuzzTarget(),
                SessionOptions.defaults(), null).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo("[\"resolve\",1,3]");
    }

    /** Responses a batch server might send, hostile ones among them, for the client's calls 1 and 2. */
    private static final List<String> RESPONSE_CORPUS = List.of(
            "[\"resolve\",1,9]", "[\"resolve\",2,4]", "[\"resolve\",1,4]\n[\"resolve\",2,[\"export\",-1]]",
            "[\"reject\",1,[\"error\",\"Error\",\"x\"]]",
            "[\"resolve\",1,[\"export\",-1]]", "[\"resolve\",1,[\"promise\",-1]]", "[\"resolve\",-1,3]",
            "[\"resolve\",1,[[\"export\",-1],[\"promise\",-2]]]", "[\"resolve\",1,[\"pipeline\",1]]",
            "[\"resolve\",1,[\"import\",2]]", "[\"resolve\",2,[\"import\",1]]", "[\"resolve\",-1,[\"import\",1]]",
            "[\"resolve\",1,[\"pipeline\",0,[\"add\"],[2,3]]]", "[\"resolve\",1,[\"readable\",1]]",
            "[\"resolve\",1,[\"writable\",-1]]", "[\"resolve\",1,[\"remap\",0,[],[],[]]]",
            "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]", "[\"push\",[\"pipeline\",1,[\"x\"],[]]]", "[\"pull\",1]",
            "[\"pull\",2]", "[\"pipe\"]", "[\"stream\",[\"pipeline\",-1,[\"write\"],[1]]]", "[\"release\",0,1]",
            "[\"release\",1,1]", "[\"release\",-1,1]", "[\"abort\",[\"error\",\"Error\",\"x\"]]", "garbage", "");

    /**
     * The client's side of a batch: whatever the server answers, every call the client made
     * settles within 5 seconds (rejected if the answer did not resolve it), the session closes,
     * and nothing escapes.
     */
    @Test
    void randomBatchResponsesAlwaysSettleTheClientsCalls() throws Exception {
        long seed = Long.getLong("fuzz.batchSeed", new Random().nextLong());
        System.out.println("FuzzSessionTest batch response seed " + seed + " (replay with -Dfuzz.batchSeed=" + seed + ")");
        Random random = new Random(seed);
        CapnWebEngine engine = new CapnWebEngine();
        int resolved = 0;
        for (int i = 0; i < BATCHES; i++) {
            List<String> lines = new ArrayList<>();
            int n = random.nextInt(6);
            for (int k = 0; k < n; k++) {
                String line = RESPONSE_CORPUS.get(random.nextInt(RESPONSE_CORPUS.size()));
                lines.add(random.nextInt(5) == 0 ? mutateText(random, line) : line);
            }
            String response = String.join("\n", lines);
            RpcSession session = engine.newBatchClient(body -> CompletableFuture.completedFuture(response),
                    new FuzzTarget(), SessionOptions.defaults());
            CompletableFuture<List<Object>> both = session.whenAll(session.main().call("square", 2),
                    session.main().call("echo", new Counter(1)));
            session.sendBatch();
            try {
                both.get(5, TimeUnit.SECONDS);
                resolved++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).as("seed %d, response %s", seed, response).isInstanceOf(RpcException.class);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("seed " + seed + ": the calls did not settle within 5 seconds of the "
                        + "response " + response, e);
            }
            session.close();
            assertThat(session.closed().toCompletableFuture().handle((v, e) -> e))
                    .as("seed %d, response %s", seed, response).succeedsWithin(Duration.ofSeconds(5));
        }
        System.out.println("  " + BATCHES + " responses, " + resolved + " resolved both calls");
        assertThat(resolved).as("responses that resolved both calls with seed %d", seed).isPositive();
        assertThat(uncaught.get()).as("uncaught exception with seed %d", seed).isNull();
        assertThat(SessionExecutor.ESCAPED.get() - escapedBefore)
                .as("errors that escaped a session task with seed %d", seed).isZero();
    }

    private void fuzz(long seed) {
        Random random = new Random(seed);
        int sent = 0;
        while (sent < FRAMES_PER_SEED) {
            sessions++;
            try (ScriptedPeer peer = new ScriptedPeer(new FuzzTarget())) {
                List<String> fromSession = new ArrayList<>();
                for (int i = 0; i < FRAMES_PER_SESSION && sent < FRAMES_PER_SEED; i++) {
                    String frame = nextFrame(random);
                    sent++;
                    peer.send(frame);
                    List<String> answers = peer.drainReceived();
                    fromSession.addAll(answers);
                    checkSane(peer, fromSession, seed, frame);
                    if (!peer.session.isOpen()) {
                        break;
                    }
                    if (i % 3 == 2) {
                        probe(peer, fromSession, seed, frame);
                        if (!peer.session.isOpen()) {
                            break;
                        }
                    }
                }
                if (peer.session.isOpen()) {
                    probe(peer, fromSession, seed, "(end of session)");
                }
                if (!peer.session.isOpen()) {
                    aborted++;
                }
                streamMessages += (int) fromSession.stream()
                        .filter(m -> m.startsWith("[\"stream\"") || m.equals("[\"pipe\"]")).count();
            }
        }
    }

    /** What the session sent is protocol messages; if it ended, it ended by aborting its transport. */
    private static void checkSane(ScriptedPeer peer, List<String> fromSession, long seed, String frame) {
        for (String m : fromSession) {
            assertThat(isProtocolMessage(m)).as("seed %d, after %s, the session sent %s", seed, frame, m).isTrue();
        }
        if (!peer.session.isOpen()) {
            assertThat(peer.sessionTransport.abortedWith)
                    .as("seed %d: the session ended after %s without aborting its transport", seed, frame).isNotNull();
            int abortAt = indexOfAbort(fromSession);
            if (abortAt >= 0) {
                assertThat(abortAt).as("seed %d: the abort is the last message", seed).isEqualTo(fromSession.size() - 1);
            }
        }
    }

    private static boolean isProtocolMessage(String text) {
        JsonElement parsed = JsonParser.parseString(text);
        return parsed.isJsonArray() && parsed.getAsJsonArray().size() > 0
                && parsed.getAsJsonArray().get(0).isJsonPrimitive()
                && MESSAGE_TYPES.contains(parsed.getAsJsonArray().get(0).getAsString());
    }

    private static int indexOfAbort(List<String> messages) {
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).startsWith("[\"abort\"")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks that a session still open still works: a call that makes it call back a new export
     * of the peer must reach the peer (or, if the fuzzing released the main object, the session
     * must abort cleanly instead).
     */
    private void probe(ScriptedPeer peer, List<String> fromSession, long seed, String after) {
        long exportId = -1_000_000L - (++probes);
        peer.send("[\"push\",[\"pipeline\",0,[\"callFunction\"],[[\"export\"," + exportId + "],7]]]");
        String expected = "[\"push\",[\"pipeline\"," + exportId;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            List<String> answers = peer.drainReceived();
            fromSession.addAll(answers);
            if (answers.stream().anyMatch(m -> m.startsWith(expected))) {
                probesAnswered++;
                return;
            }
            if (!peer.session.isOpen()) {
                checkSane(peer, fromSession, seed, after);
                return;
            }
        }
        throw new AssertionError("seed " + seed + ": the session is open but no longer answers, after " + after
                + "; it sent " + fromSession);
    }

    private static void assertFreshSessionWorks() {
        try (Harness h = new Harness(new FuzzTarget())) {
            assertThat(h.main.call("add", 1, 2).join(Duration.ofSeconds(5))).isEqualTo(3L);
            assertThat(h.main.call("makeCounter", 1).call("increment", 2).join(Duration.ofSeconds(5))).isEqualTo(3L);
        }
    }

    // ---- frame generation ----------------------------------------------------------------------

    /** Mostly valid frames, so that sessions reach deep states; one in five hostile. */
    private static String nextFrame(Random r) {
        int dice = r.nextInt(20);
        if (dice == 0) {
            return Json.write(randomValue(r, 4));
        } else if (dice == 1) {
            return randomMessage(r);
        } else if (dice == 2) {
            return mutateText(r, CORPUS.get(r.nextInt(CORPUS.size())));
        } else if (dice == 3) {
            return mutateTree(r, CORPUS.get(r.nextInt(CORPUS.size())));
        }
        String frame = CORPUS.get(r.nextInt(CORPUS.size()));
        // The peer's abort ends every session at once; send it rarely.
        return frame.startsWith("[\"abort\"") && r.nextInt(4) != 0 ? CORPUS.get(0) : frame;
    }

    private static String randomMessage(Random r) {
        JsonArray m = new JsonArray();
        m.add(MESSAGE_TYPES.stream().skip(r.nextInt(MESSAGE_TYPES.size())).findFirst().orElseThrow());
        int extra = r.nextInt(4);
        for (int i = 0; i < extra; i++) {
            m.add(r.nextBoolean() ? new JsonPrimitive(r.nextInt(7) - 3) : randomValue(r, 3));
        }
        return Json.write(m);
    }

    private static JsonElement randomValue(Random r, int depth) {
        int kind = r.nextInt(depth <= 0 ? 4 : 9);
        switch (kind) {
            case 0:
                return JsonNull.INSTANCE;
            case 1:
                return new JsonPrimitive(r.nextBoolean());
            case 2:
                return new JsonPrimitive(r.nextBoolean() ? NUMBERS[r.nextInt(NUMBERS.length)] : r.nextInt(10) - 3);
            case 3:
                return new JsonPrimitive(NAMES[r.nextInt(NAMES.length)]);
            case 4:
            case 5: {
                // A special form: a known name first, then a few arguments.
                JsonArray a = new JsonArray();
                a.add(NAMES[r.nextInt(SPECIAL_NAMES)]);
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(i == 0 ? new JsonPrimitive(r.nextInt(7) - 3) : randomValue(r, depth - 1));
                }
                return a;
            }
            case 6: {
                JsonArray outer = new JsonArray();
                JsonArray inner = new JsonArray();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    inner.add(randomValue(r, depth - 1));
                }
                outer.add(inner);
                return outer;
            }
            case 7: {
                JsonObject o = new JsonObject();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    o.add(NAMES[r.nextInt(NAMES.length)], randomValue(r, depth - 1));
                }
                return o;
            }
            default: {
                JsonArray nested = new JsonArray();
                nested.add(randomValue(r, depth - 1));
                return nested;
            }
        }
    }

    /** Replaces, wraps or drops one node of the frame's JSON tree. */
    private static String mutateTree(Random r, String frame) {
        JsonElement root = JsonParser.parseString(frame);
        List<Map.Entry<JsonElement, Integer>> slots = new ArrayList<>();
        collectSlots(root, slots);
        if (slots.isEmpty()) {
            return frame;
        }
        Map.Entry<JsonElement, Integer> slot = slots.get(r.nextInt(slots.size()));
        JsonArray parent = slot.getKey().getAsJsonArray();
        int index = slot.getValue();
        switch (r.nextInt(4)) {
            case 0:
                parent.set(index, randomValue(r, 3));
                break;
            case 1: {
                JsonArray wrapped = new JsonArray();
                wrapped.add(parent.get(index));
                parent.set(index, wrapped);
                break;
            }
            case 2:
                parent.remove(index);
                break;
            default:
                parent.set(index, new JsonPrimitive(r.nextBoolean() ? NUMBERS[r.nextInt(NUMBERS.length)]
                        : r.nextInt(9) - 4));
                break;
        }
        return Json.write(root);
    }

    private static void collectSlots(JsonElement e, List<Map.Entry<JsonElement, Integer>> slots) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                slots.add(Map.entry(a, i));
                collectSlots(a.get(i), slots);
            }
        } else if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
                collectSlots(entry.getValue(), slots);
            }
        }
    }

    private static final String NOISE = "[]{},:\"0123456789-.eE\\ntfu \u00e9\uD83D";

    /** Flips, inserts, deletes or duplicates characters, or cuts the frame short. */
    private static String mutateText(Random r, String frame) {
        StringBuilder sb = new StringBuilder(frame);
        int edits = 1 + r.nextInt(3);
        for (int k = 0; k < edits && sb.length() > 0; k++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(5)) {
                case 0:
                    sb.setCharAt(at, NOISE.charAt(r.nextInt(NOISE.length())));
                    break;
                case 1:
                    sb.insert(at, NOISE.charAt(r.nextInt(NOISE.length())));
                    break;
                case 2:
                    sb.delete(at, Math.min(sb.length(), at + 1 + r.nextInt(4)));
                    break;
                case 3: {
                    int end = Math.min(sb.length(), at + 1 + r.nextInt(12));
                    sb.insert(at, sb.substring(at, end));
                    break;
                }
                default:
                    sb.setLength(at);
                    break;
            }
        }
        return sb.toString();
    }
}
