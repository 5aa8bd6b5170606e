package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random programs of protocol messages (calls, pipelined calls and property reads on their
 * results, {@code remap}, pulls and releases, the client's own promises, stubs and pipes, values of
 * every kind through {@code echo}, values at the limits, now and then a frame that breaks the protocol)
 * sent to the reference server and to the Java server on both transports, over WebSocket and HTTP
 * batch. What each Java server sends back must be what the reference sends, message for message,
 * up to the order of answers to different calls and the export ids that order gives.
 *
 * <p>{@code -Ddifferential.programs=N} runs more programs (from {@code -Ddifferential.firstSeed});
 * {@code -Ddifferential.seed=S} replays the one program a failure names.
 */
class WireDifferentialTest {
    private static final int PROGRAMS = Integer.getInteger("differential.programs", 120);
    private static final long FIRST_SEED = Long.getLong("differential.firstSeed", 1);
    private static final Long REPLAY = Long.getLong("differential.seed");
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** How long a session must stay silent after the last answer before its transcript ends. */
    private static final Duration QUIET = Duration.ofMillis(60);
    /** The number the program's last call squares; its answer marks the end of the answers. */
    private static final int MARKER = 4321;

    private static Node.ReadyProcess reference;
    private static RpcServer jetty;
    private static RpcServer vertx;
    private static ExecutorService runners;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startServers() {
        reference = Node.startReferenceServer();
        jetty = TestServer.start(0, "jetty");
        vertx = TestServer.start(0, "vertx");
        runners = Executors.newFixedThreadPool(3);
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (runners != null) {
            runners.shutdownNow();
        }
        if (jetty != null) {
            jetty.close(Duration.ofSeconds(5));
        }
        if (vertx != null) {
            vertx.close(Duration.ofSeconds(5));
        }
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void webSocketProgramsGetTheReferencesAnswers() throws Exception {
        compareAll(true);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void batchProgramsGetTheReferencesAnswers() throws Exception {
        compareAll(false);
    }

    private static void compareAll(boolean webSocket) throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        long first = REPLAY != null ? REPLAY : FIRST_SEED;
        long count = REPLAY != null ? 1 : PROGRAMS;
        for (long seed = first; seed < first + count && mismatches.size() < 5; seed++) {
            Program program = new Generator(new Random(seed), webSocket).program();
            CompletableFuture<List<String>> ref = run(reference.port(), program, webSocket);
            CompletableFuture<List<String>> onJetty = run(jetty.port(), program, webSocket);
            CompletableFuture<List<String>> onVertx = run(vertx.port(), program, webSocket);
            List<String> fromReference = ref.get(1, TimeUnit.MINUTES);
            // An abort, or over HTTP batch the reference's error status when its session aborted.
            boolean aborts = program.oddFrame || normalize(fromReference).stream()
                    .anyMatch(line -> line.startsWith("abort") || line.equals("STATUS 500"));
            List<String> expected = outcome(aborts, fromReference);
            if (!aborts && !expected.contains(
                    "resolve " + canonical((double) program.markerId) + " " + canonical((double) MARKER * MARKER))) {
                unanswered.add("seed " + seed + ": " + String.join(" ", program.frames) + " -> " + fromReference);
            }
            for (var actual : Map.of("jetty", onJetty, "vertx", onVertx).entrySet()) {
                List<String> fromJava = actual.getValue().get(1, TimeUnit.MINUTES);
                List<String> got = outcome(aborts, fromJava);
                if (!got.equals(expected) && !sameBatchFailure(program, fromReference, fromJava)) {
                    mismatches.add("seed " + seed + " on " + actual.getKey() + (webSocket ? " (WebSocket)" : " (batch)")
                            + "\n  sent:      " + String.join("\n             ", program.frames)
                            + "\n  only from the reference: " + String.join("\n                           ", without(expected, got))
                            + "\n  only from Java:          " + String.join("\n                           ", without(got, expected)));
                }
            }
        }
        assertThat(mismatches).as("programs whose answers differ from the reference's").isEmpty();
        // Every program ends with a call that is answered: without that answer from the reference
        // nothing was compared but two failures.
        assertThat(unanswered).as("programs whose last call the reference did not answer").isEmpty();
    }

    /**
     * What must be the same on both servers: the normalized transcript, or when the session may end
     * in an abort (an odd frame, or a value that breaks the protocol) only how it ended: which
     * answers go out before the abort is a race on either server.
     */
    private static List<String> outcome(boolean aborts, List<String> transcript) {
        List<String> lines = normalize(transcript);
        if (aborts) {
            lines.removeIf(line -> !(line.startsWith("abort") || line.startsWith("CLOSED") || line.startsWith("STATUS")
                    || line.startsWith("FAILED") || line.startsWith("TIMEOUT") || line.startsWith("NOT JSON")));
        }
        return lines;
    }

    /**
     * Whether both servers failed the same batch: the reference's batch function throws when its
     * session aborts (the server around it answers 500 with the error), where a Java batch server
     * answers 200: with an {@code abort} of the same error type last when it aborted, so that the
     * client learns why, or with no more answers when the client sent the abort.
     */
    private static boolean sameBatchFailure(Program program, List<String> fromReference, List<String> fromJava) {
        if (fromReference.size() != 2 || !fromReference.get(0).equals("STATUS 500")
                || fromJava.isEmpty() || !fromJava.get(0).equals("STATUS 200")) {
            return false;
        }
        String thrown = fromReference.get(1);
        if (program.frames.stream().anyMatch(frame -> frame.startsWith("[\"abort\"") && frame.contains(thrown.substring(thrown.indexOf(':') + 2)))) {
            return fromJava.stream().noneMatch(line -> line.replace(" ", "").startsWith("[\"resolve\"," + program.markerId + ","));
        }
        String type = thrown.contains(":") ? thrown.substring(0, thrown.indexOf(':')) : thrown;
        return normalize(List.of(fromJava.get(fromJava.size() - 1))).equals(List.of("abort " + canonical(type)));
    }

    /** The lines of {@code lines} left once each line of {@code other} has taken away one equal to it. */
    private static List<String> without(List<String> lines, List<String> other) {
        List<String> left = new ArrayList<>(lines);
        other.forEach(left::remove);
        return left;
    }

    // ---- running a program ----

    private static CompletableFuture<List<String>> run(int port, Program program, boolean webSocket) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return webSocket ? overWebSocket(port, program) : overBatch(port, program);
            } catch (Exception e) {
                return List.of("FAILED " + e);
            }
        }, runners);
    }

    private static List<String> overWebSocket(int port, Program program) throws Exception {
        List<String> received = new ArrayList<>();
        try (RawWebSocket socket = RawWebSocket.connect(port)) {
            for (String frame : program.frames) {
                try {
                    socket.sendText(frame);
                } catch (Exception e) {
                    break; // the server closed the connection: what it sent before is still read
                }
            }
            String markerAnswer = "[\"resolve\"," + program.markerId + ",";
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean sawMarker = false;
            while (true) {
                Duration wait = sawMarker ? QUIET : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                String message = socket.next(wait);
                if (message == null) {
                    if (!sawMarker) {
                        received.add("TIMEOUT");
                    }
                    break;
                }
                received.add(message);
                if (message.startsWith("CLOSED") || message.startsWith("ERROR")) {
                    break;
                }
                sawMarker |= message.replace(" ", "").startsWith(markerAnswer);
            }
        }
        return received;
    }

    private static List<String> overBatch(int port, Program program) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc"))
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", program.frames)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        List<String> received = new ArrayList<>();
        received.add("STATUS " + response.statusCode());
        if (!response.body().isEmpty()) {
            received.addAll(List.of(response.body().split("\n", -1)));
        }
        return received;
    }

    /**
     * A transcript as a sorted list: answers by id, releases summed by id, an abort by its error
     * type (its sentence is each implementation's own), a close after an abort dropped. The ids of
     * the server's exports are renamed {@code E1, E2, ...} in the order they appear in the answers
     * taken by call id: which of two answers is written first, and so takes the lower export id,
     * is the server's choice.
     */
    private static List<String> normalize(List<String> transcript) {
        List<String> lines = new ArrayList<>();
        Map<String, Double> released = new TreeMap<>();
        Map<Double, List<?>> answers = new TreeMap<>();
        List<Object> others = new ArrayList<>();
        boolean aborted = false;
        for (String message : transcript) {
            if (message.startsWith("STATUS ") || message.startsWith("FAILED ") || message.equals("TIMEOUT")
                    || message.startsWith("ERROR ")) {
                lines.add(message);
                continue;
            }
            if (message.startsWith("CLOSED ")) {
                if (!aborted) {
                    lines.add("CLOSED");
                }
                continue;
            }
            Object parsed;
            try {
                parsed = MiniJson.parse(message);
            } catch (IllegalArgumentException e) {
                lines.add("NOT JSON " + message);
                continue;
            }
            if (parsed instanceof List<?> list && list.size() == 3 && list.get(1) instanceof Double id
                    && ("resolve".equals(list.get(0)) || "reject".equals(list.get(0)))
                    && answers.putIfAbsent(id, list) == null) {
                continue;
            }
            if (parsed instanceof List<?> list && list.size() == 3 && "release".equals(list.get(0))
                    && list.get(2) instanceof Double count) {
                released.merge(canonical(list.get(1)), count, Double::sum);
                continue;
            }
            if (parsed instanceof List<?> list && list.size() == 2 && "abort".equals(list.get(0))) {
                aborted = true;
                Object error = list.get(1);
                lines.add("abort " + canonical(error instanceof List<?> e && e.size() > 1 ? e.get(1) : error));
                continue;
            }
            others.add(parsed);
        }
        ExportNames names = new ExportNames();
        List<Double> order = new ArrayList<>();
        answers.keySet().stream().filter(id -> id >= 0).forEach(order::add);
        for (int i = 0; i < order.size() || order.size() < answers.size(); i++) {
            if (i == order.size()) {
                // An answer for an export no other answer names: taken in id order, last.
                answers.keySet().stream().filter(id -> !order.contains(id)).findFirst().ifPresent(order::add);
            }
            Double id = order.get(i);
            List<?> answer = answers.get(id);
            String name = id >= 0 ? canonical(id) : names.of(id);
            lines.add(answer.get(0) + " " + name + " " + canonical(names.rename(answer.get(2))));
            names.given.stream().filter(e -> answers.containsKey(e) && !order.contains(e)).forEach(order::add);
        }
        others.forEach(other -> lines.add(canonical(names.rename(other))));
        released.forEach((id, total) -> lines.add("release " + id + " x" + total));
        lines.sort(null);
        return lines;
    }

    /** Names for the server's export ids, in the order they are first seen. */
    private static final class ExportNames {
        final List<Double> given = new ArrayList<>();

        String of(Double id) {
            if (!given.contains(id)) {
                given.add(id);
            }
            return "E" + (given.indexOf(id) + 1);
        }

        /** The value with each {@code ["export", id]} and {@code ["promise", id]} named. */
        Object rename(Object value) {
            if (value instanceof List<?> list) {
                if (list.size() == 2 && ("export".equals(list.get(0)) || "promise".equals(list.get(0)))
                        && list.get(1) instanceof Double id) {
                    return List.of(list.get(0), of(id));
                }
                return list.stream().map(this::rename).collect(Collectors.toList());
            }
            if (value instanceof Map<?, ?> map) {
                // Visited in JavaScript's order, which lists integer-like keys first: the reference
                // writes (and exports) in that order, Java in the order the keys arrived.
                Map<Object, Object> copy = new LinkedHashMap<>();
                map.keySet().stream().sorted((a, b) -> Long.compare(arrayIndex(a), arrayIndex(b)))
                        .forEach(k -> copy.put(k, rename(map.get(k))));
                return copy;
            }
            return value;
        }

        /** The key's position if it is an array index, as JavaScript orders them; after all of them if not. */
        private static long arrayIndex(Object key) {
            String k = (String) key;
            if (k.matches("0|[1-9][0-9]{0,9}") && Long.parseLong(k) < 0xFFFF_FFFFL) {
                return Long.parseLong(k);
            }
            return Long.MAX_VALUE;
        }
    }

    /** JSON with object keys sorted and numbers as doubles, so that equal values read the same. */
    private static String canonical(Object value) {
        if (value instanceof Map<?, ?> map) {
            return new TreeMap<>(map).entrySet().stream()
                    .map(e -> JsText.quote((String) e.getKey()) + ":" + canonical(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(WireDifferentialTest::canonical).collect(Collectors.joining(",", "[", "]"));
        }
        if (value instanceof String s) {
            return JsText.quote(s);
        }
        return String.valueOf(value);
    }

    // ---- generating a program ----

    private static final class Program {
        final List<String> frames = new ArrayList<>();
        int markerId;
        /** Whether one of {@link Generator#ODD_FRAMES} was put in: most end the session there. */
        boolean oddFrame;
    }

    /**
     * What a call's result is, so that later messages pass it only where its type is accepted
     * (the Java TestTarget's parameters are typed; JavaScript would coerce instead).
     */
    private enum Kind {
        NUMBER, COUNTER, NUMBERS, VALUE, ERROR,
        /**
         * A counter passed to a call (or mapped): the calls made through that reference run when
         * that call does, which a call queued on the counter itself need not wait for, so it is not
         * called directly again.
         */
        SPENT_COUNTER,
        /** A pipe, or a {@code stream} message's call: never pulled, released or referred to. */
        STREAMING
    }

    private static final class Generator {
        private static final String[] NUMBERS = {"0", "1", "-1", "2", "7", "0.5", "-2.25", "1e21", "1e-7",
            "123456789012", "9007199254740993", "1.7976931348623157e308", "5e-324", "-0", "3.141592653589793"};
        private static final String[] STRINGS = {"", "a", "hello world", "\\\"quoted\\\"", "back\\\\slash",
            "line\\nbreak", "tab\\t", "\\u0000", "\\u001f", "日本語", "emoji 😀", "\\ud83d\\ude00", "\\ud800",
            "\\udc00x", "</script>", "\\u2028", "ünïcödé", "1", "true"};
        private static final String[] KEYS = {"a", "b", "", "0", "1", "key with space", "日本", "$x", "value",
            "length", "result", "__proto__", "constructor", "toString"};
        /**
         * Frames out of the ordinary: most are not valid Cap'n Web and abort the session, a few are
         * odd but valid (bytes that are not base64, a property read of a method, the client's own
         * abort). Both servers must treat each alike.
         */
        private static final String[] ODD_FRAMES = {"[\"push\",[\"pipeline\",0,[\"square\"],[[\"bigint\",\"12x\"]]]]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"bytes\",\"!!!\"]]]]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"date\",\"x\"]]]]",
            "[\"push\",[\"pipeline\",0,[\"echo\"],[[\"error\",5]]]]", "[\"frob\",1]", "[\"pull\",999]",
            "[\"release\",999,1]", "[\"push\",5]", "{\"push\":1}", "[\"resolve\",-99,1]", "not json", "[]",
            "[\"push\",[\"pipeline\",0,[\"square\"],[[\"pipeline\",999]]]]", "[\"push\",[\"remap\",999,[],[],[]]]",
            "[\"abort\",[\"error\",\"Error\",\"the client gives up\"]]", "[\"push\",[\"pipeline\",0,[\"square\"]]]"};
        private static final String[] MISSING = {"noSuchMethod", "constructor", "toString", "hasOwnProperty",
            "__proto__", "valueOf", "then", ""};

        private final Random random;
        private final boolean webSocket;
        private final Program program = new Program();
        private final List<Kind> kinds = new ArrayList<>();
        private final List<Boolean> pulled = new ArrayList<>();
        private final List<Boolean> released = new ArrayList<>();
        private boolean calledBack;
        /** Whether values may refer to results of earlier calls. */
        private boolean references = true;
        /** How many ids of its own the client has used: its exports and promises are -1, -2, ... */
        private int clientIds;
        /** The client's promises sent and not yet settled, with whether each must be a number. */
        private final Map<Integer, Boolean> unsettled = new LinkedHashMap<>();

        Generator(Random random, boolean webSocket) {
            this.random = random;
            this.webSocket = webSocket;
        }

        Program program() {
            int steps = 2 + random.nextInt(10);
            for (int i = 0; i < steps; i++) {
                step();
            }
            for (int id : new ArrayList<>(unsettled.keySet())) {
                settle(id);
            }
            String odd = random.nextInt(10) == 0 ? ODD_FRAMES[random.nextInt(ODD_FRAMES.length)] : null;
            if (odd != null && !odd.startsWith("[\"push\"")) {
                program.oddFrame = true;
                program.frames.add(random.nextInt(program.frames.size() + 1), odd);
            }
            List<Integer> unpulled = new ArrayList<>();
            for (int id = 1; id <= kinds.size(); id++) {
                if (!pulled.get(id - 1) && !released.get(id - 1)) {
                    unpulled.add(id);
                }
            }
            java.util.Collections.shuffle(unpulled, random);
            for (int id : unpulled) {
                pull(id);
            }
            if (odd != null && odd.startsWith("[\"push\"")) {
                // Last, as it takes an id: earlier, it would shift the ids the program's later
                // messages name, onto calls they must not name (a stream message's, say).
                program.oddFrame = true;
                program.frames.add(odd);
            }
            program.frames.add("[\"push\",[\"pipeline\",0,[\"square\"],[" + MARKER + "]]]");
            // Counted, not taken from the generator: a frame put in out of turn may be a push too.
            program.markerId = (int) program.frames.stream().filter(frame -> frame.startsWith("[\"push\"")
                    || frame.startsWith("[\"stream\"") || frame.startsWith("[\"pipe\"")).count();
            program.frames.add("[\"pull\"," + program.markerId + "]");
            return program;
        }

        private void step() {
            int choice = random.nextInt(26);
            if (choice < 9 || kinds.isEmpty()) {
                callMain();
            } else if (choice < 13) {
                onResult();
            } else if (choice < 15) {
                remap();
            } else if (choice < 18) {
                int id = live(null, true);
                if (id > 0) {
                    pull(id);
                }
            } else if (choice < 20) {
                int id = live(null, true);
                if (id > 0) {
                    program.frames.add("[\"release\"," + id + ",1]");
                    released.set(id - 1, true);
                }
            } else if (choice < 22) {
                // A call waiting on a promise of the client's, which the client settles later.
                int promise = -(++clientIds);
                boolean number = random.nextBoolean();
                unsettled.put(promise, number);
                String p = "[\"promise\"," + promise + "]";
                push(number ? main("square", p) : main("echo", "{\"p\":" + p + "}"), number ? Kind.NUMBER : Kind.VALUE);
            } else if (choice < 23 && !unsettled.isEmpty()) {
                settle(unsettled.keySet().iterator().next());
            } else if (choice >= 24) {
                streams();
            } else if (webSocket && !calledBack) {
                // A server call to an object of the client's, which this raw client never answers:
                // both servers must send the same call and keep waiting.
                calledBack = true;
                String stub = "[\"export\"," + -(++clientIds) + "]";
                push(random.nextBoolean() ? main("callFunction", stub + "," + number())
                        : main("incrementCounter", stub + "," + number()), Kind.VALUE);
            } else {
                push(main("echo", webSocket ? "[\"export\"," + -(++clientIds) + "]" : value(0)), Kind.VALUE);
            }
        }

        /**
         * A pipe of the client's, written to, closed and read by the server within the program.
         * Not compared: an abort of the pipe (which of the writes before it count as read is a
         * race with the reading thread in Java, a matter of microtask order in the reference),
         * and streams the server sends (the ids it gives them follow the order its tasks run).
         */
        private void streams() {
            int pipe = message("[\"pipe\"]");
            boolean bytes = random.nextBoolean();
            String reader = main(bytes ? "countBytes" : "sumStream", "[\"readable\"," + pipe + "]");
            boolean readFirst = random.nextBoolean();
            if (readFirst) {
                push(reader, Kind.NUMBER);
            }
            for (int i = random.nextInt(4); i > 0; i--) {
                String chunk;
                if (bytes) {
                    byte[] b = new byte[random.nextInt(5)];
                    random.nextBytes(b);
                    chunk = "[\"bytes\",\"" + Base64.getEncoder().encodeToString(b) + "\"]";
                } else {
                    chunk = number();
                }
                message("[\"stream\",[\"pipeline\"," + pipe + ",[\"write\"],[" + chunk + "]]]");
            }
            message("[\"stream\",[\"pipeline\"," + pipe + ",[\"close\"],[]]]");
            if (!readFirst) {
                push(reader, Kind.NUMBER);
            }
        }

        /** A message that takes the next import id without being a call the program may use. */
        private int message(String frame) {
            program.frames.add(frame);
            kinds.add(Kind.STREAMING);
            pulled.add(true);
            released.add(true);
            return kinds.size();
        }

        /** Resolves (or now and then rejects) a promise of the client's. */
        private void settle(int promise) {
            boolean number = unsettled.remove(promise);
            // No references to results in the resolution: a call waiting for this promise could
            // then wait for its own result, and neither server ever answers such a cycle.
            references = false;
            String value = random.nextInt(5) == 0 ? null : number ? number() : value(0);
            references = true;
            program.frames.add(value == null ? "[\"reject\"," + promise + ",[\"error\",\"RangeError\",\"the client says no\"]]"
                    : "[\"resolve\"," + promise + "," + value + "]");
        }

        private void callMain() {
            switch (random.nextInt(15)) {
                case 0, 1 -> push(main("square", numberOrRef()), Kind.NUMBER);
                case 2 -> push(main("add", random.nextBoolean() ? number() + "," + number()
                        : string() + "," + (random.nextBoolean() ? string() : number())), Kind.VALUE);
                case 3 -> push(main("makeCounter", numberOrRef()), Kind.COUNTER);
                case 4 -> {
                    int counter = live(Kind.COUNTER, false);
                    if (counter < 0) {
                        push(main("makeCounter", number()), Kind.COUNTER);
                    } else {
                        String c = reference(counter);
                        push(main("incrementCounter", random.nextBoolean() ? c : c + "," + number()), Kind.NUMBER);
                    }
                }
                case 5 -> push(main("generateFibonacci", String.valueOf(random.nextInt(10))), Kind.NUMBERS);
                case 6 -> push(main(random.nextBoolean() ? "returnNull" : "returnUndefined", ""), Kind.VALUE);
                case 7 -> push(main("returnNumber", numberOrRef()), Kind.VALUE);
                case 8, 9, 10 -> push(main("echo", value(0)), Kind.VALUE);
                case 11 -> push(main("throwError", ""), Kind.ERROR);
                case 12 -> push(main(MISSING[random.nextInt(MISSING.length)], ""), Kind.ERROR);
                case 13 -> push(main("callSquare", "[\"import\",0]," + number()), Kind.VALUE);
                default -> push(main("echo", "[\"import\",0]"), Kind.VALUE);
            }
        }

        private void onResult() {
            int id = live(null, false);
            if (id < 0 || kinds.get(id - 1) == Kind.SPENT_COUNTER) {
                callMain();
                return;
            }
            Kind kind = kinds.get(id - 1);
            String target = "[\"pipeline\"," + id;
            switch (kind) {
                case COUNTER -> {
                    if (random.nextBoolean()) {
                        push(target + ",[\"increment\"]," + (random.nextBoolean() ? "[]" : "[" + number() + "]") + "]",
                                Kind.NUMBER);
                    } else {
                        push(target + ",[\"value\"]]", Kind.NUMBER);
                    }
                }
                case NUMBERS -> push(target + ",[" + (random.nextInt(4) == 0 ? "\"length\"" : random.nextInt(12)) + "]]",
                        Kind.VALUE);
                default -> {
                    if (random.nextBoolean()) {
                        push(target + ",[" + quoted(KEYS[random.nextInt(KEYS.length)]) + "]]", Kind.VALUE);
                    } else {
                        push(target + ",[" + quoted(MISSING[random.nextInt(MISSING.length)]) + "],[]]", Kind.VALUE);
                    }
                }
            }
        }

        private void remap() {
            int id = live(random.nextInt(3) == 0 ? null : Kind.NUMBERS, false);
            if (id < 0) {
                push(main("generateFibonacci", String.valueOf(random.nextInt(8))), Kind.NUMBERS);
                return;
            }
            Kind input = kinds.get(id - 1);
            spend(id);
            // In a mapper, ["pipeline",0] is the input value, negative ids are the captures and
            // positive ids earlier instructions' results; ["import",0] is the input as a stub.
            // Only a list of numbers is mapped through square and makeCounter.
            int template = input == Kind.NUMBERS ? random.nextInt(5) : 2 + random.nextInt(3);
            String body = switch (template) {
                case 0 -> "[[\"import\",0]],[[\"pipeline\",-1,[\"square\"],[[\"pipeline\",0]]]]";
                case 1 -> "[[\"import\",0]],[[\"pipeline\",-1,[\"makeCounter\"],[[\"pipeline\",0]]],"
                        + "[\"pipeline\",1,[\"increment\"],[10]]]";
                case 2 -> "[],[[\"pipeline\",0]]";
                case 3 -> "[],[[[[\"pipeline\",0],{\"x\":[\"pipeline\",0]},[\"undefined\"]]]]";
                default -> "[[\"import\",0]],[[\"pipeline\",-1,[\"echo\"],[[\"import\",0]]],[\"pipeline\",1]]";
            };
            push("[\"remap\"," + id + ",[]," + body + "]", template <= 1 ? Kind.NUMBERS : Kind.VALUE);
        }

        private String main(String method, String args) {
            return "[\"pipeline\",0,[" + quoted(method) + "],[" + args + "]]";
        }

        private int push(String expression, Kind kind) {
            program.frames.add("[\"push\"," + expression + "]");
            kinds.add(kind);
            pulled.add(false);
            released.add(false);
            return kinds.size();
        }

        private void pull(int id) {
            program.frames.add("[\"pull\"," + id + "]");
            pulled.set(id - 1, true);
        }

        /** A random result not yet released (and, if asked, not yet pulled) of the kind, or -1. */
        private int live(Kind kind, boolean unpulledOnly) {
            List<Integer> ids = new ArrayList<>();
            for (int id = 1; id <= kinds.size(); id++) {
                if (!released.get(id - 1) && (kind == null || kinds.get(id - 1) == kind)
                        && !(unpulledOnly && pulled.get(id - 1))) {
                    ids.add(id);
                }
            }
            return ids.isEmpty() ? -1 : ids.get(random.nextInt(ids.size()));
        }

        /**
         * A reference to an earlier result inside a value. A counter reached that way may be read
         * or changed by the calls it goes to, so it is not used directly again.
         */
        private String reference(int id) {
            spend(id);
            return "[\"pipeline\"," + id + "]";
        }

        private void spend(int id) {
            if (kinds.get(id - 1) == Kind.COUNTER) {
                kinds.set(id - 1, Kind.SPENT_COUNTER);
            }
        }

        /** A value at or just past one of the reference's limits: nesting depth, bigint digits. */
        private String nearALimit() {
            int n = switch (random.nextInt(3)) {
                case 0 -> 120 + random.nextInt(16);
                case 1 -> 248 + random.nextInt(12);
                default -> 16_380 + random.nextInt(8);
            };
            if (n > 1000) {
                return "[\"bigint\",\"" + "9".repeat(n) + "\"]";
            }
            return random.nextBoolean() ? "[[".repeat(n) + "1" + "]]".repeat(n)
                    : "{\"a\":".repeat(n) + "1" + "}".repeat(n);
        }

        private String numberOrRef() {
            int id = references && random.nextInt(3) == 0 ? live(Kind.NUMBER, false) : -1;
            return id > 0 ? "[\"pipeline\"," + id + "]" : number();
        }

        private String number() {
            return random.nextBoolean() ? NUMBERS[random.nextInt(NUMBERS.length)]
                    : String.valueOf(random.nextInt(2001) - 1000);
        }

        private String string() {
            return "\"" + STRINGS[random.nextInt(STRINGS.length)] + "\"";
        }

        private static String quoted(String s) {
            return "\"" + s + "\"";
        }

        /** A value in its wire form, as an argument expression. */
        private String value(int depth) {
            int choice = random.nextInt(depth > 2 ? 14 : 20);
            return switch (choice) {
                case 0, 1 -> number();
                case 2, 3 -> string();
                case 4 -> random.nextBoolean() ? "true" : "false";
                case 5 -> "null";
                case 6 -> "[\"undefined\"]";
                case 7 -> new String[] {"[\"nan\"]", "[\"inf\"]", "[\"-inf\"]"}[random.nextInt(3)];
                case 8 -> "[\"bigint\",\"" + (random.nextBoolean() ? "-" : "") + Math.abs(random.nextLong())
                        + (random.nextBoolean() ? "123456789" : "") + "\"]";
                case 9 -> random.nextInt(6) == 0 ? "[\"date\",null]"
                        : "[\"date\"," + (random.nextLong() % 4_000_000_000_000L) + "]";
                case 10 -> {
                    byte[] bytes = new byte[random.nextInt(7)];
                    random.nextBytes(bytes);
                    String b64 = Base64.getEncoder().encodeToString(bytes);
                    yield "[\"bytes\",\"" + (random.nextInt(4) == 0 ? b64.replace("=", "") : b64) + "\"]";
                }
                case 11 -> {
                    String type = new String[] {"Error", "TypeError", "RangeError", "CustomError"}[random.nextInt(4)];
                    String error = "[\"error\",\"" + type + "\"," + string();
                    yield random.nextBoolean() ? error + "]" : error + ",null,{\"code\":" + number() + "}]";
                }
                case 12 -> {
                    int id = references ? live(null, false) : -1;
                    yield id > 0 ? reference(id) : "[\"import\",0]";
                }
                case 13 -> random.nextInt(30) == 0 ? "[\"notAType\",1]" : random.nextInt(10) == 0 ? nearALimit() : number();
                case 14, 15, 16 -> {
                    int n = random.nextInt(4);
                    List<String> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        items.add(value(depth + 1));
                    }
                    yield "[[" + String.join(",", items) + "]]";
                }
                default -> {
                    int n = random.nextInt(4);
                    Map<String, String> fields = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String key = KEYS[random.nextInt(KEYS.length)];
                        // The reference assigns a promise's resolution to obj.__proto__, which for
                        // an object or array replaces the object's prototype; Java drops the key.
                        // Only resolutions that are numbers leave both the same.
                        fields.put(key, key.equals("__proto__") ? numberOrRef() : value(depth + 1));
                    }
                    yield fields.entrySet().stream().map(e -> quoted(e.getKey()) + ":" + e.getValue())
                            .collect(Collectors.joining(",", "{", "}"));
                }
            };
        }
    }
}
