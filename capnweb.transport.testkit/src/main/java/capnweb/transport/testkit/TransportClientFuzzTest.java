package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.ClientOptions;
import capnweb.api.RpcSession;
import capnweb.api.SessionOptions;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile servers below Cap'n Web, for the clients: each answers one session, chosen at random
 * from a fixed seed, then ends its side of the connection.
 *
 * <p>HTTP batch: a valid answer to a call ({@code 200}, the call's resolution) mangled (bytes
 * flipped, lines dropped or doubled, troublesome headers, other statuses, the answer cut short,
 * a body that is not UTF-8, not JSON, or other messages than the one awaited).
 *
 * <p>WebSocket: a valid 101 and the call's resolution, either mangled (statuses, a wrong accept
 * value, extensions never asked for, and the frames as the server fuzz mangles them, masked
 * among them).
 *
 * <p>Either way the connect or the call must settle within ten seconds, as a result or as an error
 * that is a sentence: it names no object of the HTTP library ({@code Foo@1a2b3c}) and no class of
 * its internals. Deterministic: {@code -DclientFuzz.seed} and {@code -DclientFuzz.answers}
 * (default 150 of each kind) pick the same ones on every run.
 *
 * <p>Using it: {@code class XTransportClientFuzzTest extends TransportClientFuzzTest} returning
 * the provider.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class TransportClientFuzzTest extends HardeningSupport {
    private static final long SEED = Long.getLong("clientFuzz.seed", 20261126L);
    private static final int ANSWERS = Integer.getInteger("clientFuzz.answers", 150);
    private static final long SETTLE_SECONDS = 10;
    /** What an error must not carry: an object's identity, or the HTTP libraries' classes. */
    private static final Pattern NOT_A_SENTENCE = Pattern.compile(
            "@[0-9a-f]{6,}|org\\.eclipse\\.jetty|io\\.netty|io\\.vertx|oejc|\\bnull\\b");

    private static final String RESOLVE = "[\"resolve\",1,3]";
    private static final String[] ANSWER_MESSAGES = {
        RESOLVE, "[\"reject\",1,[\"error\",\"RangeError\",\"too big\"]]", "[\"resolve\",7,3]",
        "[\"abort\",[\"error\",\"Error\",\"gone\"]]", "[\"resolve\",1,[\"bigint\",\"x\"]]", "[\"push\",[\"import\",0]]",
        "[\"resolve\",1," + "[".repeat(300) + "]".repeat(300) + "]", "[\"resolve\",1,\"" + "\\u00e9".repeat(50) + "\"]",
        "{}", "[\"release\",-1,1]", "[\"resolve\"]"};
    private static final List<String> ANSWER_HEADERS = List.of(
            "Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Content-Encoding: gzip", "Content-Length: -1",
            "Content-Length: 5, 6", "Content-Length: 0", "Content-Length: 99999999999", "Content-Type: text/html",
            "Content-Type: application/json; charset=latin1", "Connection: close", "Connection: Upgrade",
            "Upgrade: websocket", "Location: http://127.0.0.1:1/rpc", "X-Large: " + "a".repeat(9_000),
            "Sec-WebSocket-Extensions: permessage-deflate", "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Accept: x");
    private static final List<String> STATUS_LINES = List.of(
            "HTTP/1.1 503 Service Unavailable", "HTTP/1.1 302 Found", "HTTP/1.1 100 Continue", "HTTP/1.1 101 Switching",
            "HTTP/1.1 204 No Content", "HTTP/1.1 407 Proxy Authentication Required", "HTTP/1.0 200 OK", "HTTP/2 200",
            "HTTP/1.1 999 What", "HTTP/1.1 200", "HTTP/1.1 OK", "HTTP/1.1 -1 Minus", "", "HELLO");

    private final ClientOptions options = ClientOptions.builder()
            .sessionOptions(SessionOptions.builder().maxMessageSize(64 * 1024).build()).build();

    @Test
    void mangledBatchAnswersSettleTheCallWithAResultOrASentence() throws Exception {
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < ANSWERS; i++) {
            String answer = mangle(random, batchAnswer(random));
            byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
            try (RawServer server = RawServer.answeringHttp(bytes)) {
                RpcSession session = connect(server.httpUri(), options);
                String problem = settle(session.main().call("add", 1, 2).toCompletableFuture(), outcomes);
                if (problem != null) {
                    failures.add("answer " + i + " " + printable(answer) + ": " + problem);
                }
                session.close();
            }
        }
        assertThat(failures).as("seed %d", SEED).isEmpty();
        // What the mangles left valid was understood: the run reached Cap'n Web, not only the parser.
        assertThat(outcomes).as("the outcomes").containsKeys("3", "error");
    }

    @Test
    void mangledWebSocketAnswersSettleTheConnectOrTheCallWithAResultOrASentence() throws Exception {
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < ANSWERS; i++) {
            List<String> made = new ArrayList<>();
            Function<String, byte[]> head = upgradeAnswer(random, made);
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            if (random.nextInt(4) == 0) {
                // The call's answer first, so that a run reaches results too, then what may break.
                frames.writeBytes(PlainWebSocket.frame(0x81, RESOLVE.getBytes(StandardCharsets.UTF_8), false));
                made.add("the answer");
            }
            for (int f = 1 + random.nextInt(3); f > 0; f--) {
                made.add(TransportWireFuzzTest.mangledFrame(random, frames, ANSWER_MESSAGES, false));
            }
            try (RawServer server = RawServer.webSocketAnswering(head, 2, frames.toByteArray())) {
                CompletableFuture<RpcSession> connecting = provider().connect(server.uri(), options, engine())
                        .toCompletableFuture();
                RpcSession session;
                try {
                    session = connecting.get(SETTLE_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    failures.add("connection " + i + " " + made + ": the connect did not settle");
                    connecting.cancel(true);
                    continue;
                } catch (ExecutionException e) {
                    String problem = sentenceProblem(e.getCause());
                    outcomes.merge("refused", 1, Integer::sum);
                    if (problem != null) {
                        failures.add("connection " + i + " " + made + ": " + problem);
                    }
                    continue;
                }
                resources.add(session);
                String problem = settle(session.main().call("add", 1, 2).toCompletableFuture(), outcomes);
                if (problem != null) {
                    failures.add("connection " + i + " " + made + ": " + problem);
                }
                session.close();
            }
        }
        assertThat(failures).as("seed %d", SEED).isEmpty();
        assertThat(outcomes).as("the outcomes").containsKeys("3", "error", "refused");
    }

    /** @return null if the call settled as it may, else what is wrong */
    private static String settle(CompletableFuture<Object> call, Map<String, Integer> outcomes)
            throws InterruptedException {
        try {
            Object result = call.get(SETTLE_SECONDS, TimeUnit.SECONDS);
            outcomes.merge(String.valueOf(result), 1, Integer::sum);
            return null;
        } catch (TimeoutException e) {
            return "the call did not settle";
        } catch (ExecutionException e) {
            outcomes.merge("error", 1, Integer::sum);
            return sentenceProblem(e.getCause());
        }
    }

    private static String sentenceProblem(Throwable error) {
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return "an error without a message: " + error;
        }
        if (NOT_A_SENTENCE.matcher(message).find()) {
            return "an error that is not a sentence: " + message;
        }
        return null;
    }

    /** A valid answer to the call, or a refusal, in one of the forms a server may give it. */
    private static String batchAnswer(Random random) {
        String body = random.nextInt(4) == 0 ? ANSWER_MESSAGES[random.nextInt(ANSWER_MESSAGES.length)] : RESOLVE;
        switch (random.nextInt(4)) {
            case 0:
                return "HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
            case 1:
                // No length: the body runs to the end of the connection.
                return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + body;
            case 2:
                return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n\r\n"
                        + "The server is too busy";
            default:
                return "HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n"
                        + new String(body.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        }
    }

    /** The answer with one to three mangles. */
    private static String mangle(Random random, String answer) {
        int split = answer.indexOf("\r\n\r\n");
        List<String> lines = new ArrayList<>(List.of(answer.substring(0, split).split("\r\n", -1)));
        String body = answer.substring(split + 4);
        for (int t = 1 + random.nextInt(3); t > 0; t--) {
            switch (random.nextInt(8)) {
                case 0:
                    lines.set(0, STATUS_LINES.get(random.nextInt(STATUS_LINES.size())));
                    break;
                case 1:
                    lines.add(1 + random.nextInt(lines.size()), ANSWER_HEADERS.get(random.nextInt(ANSWER_HEADERS.size())));
                    break;
                case 2:
                    if (lines.size() > 1) {
                        lines.remove(1 + random.nextInt(lines.size() - 1));
                    }
                    break;
                case 3:
                    if (lines.size() > 1) {
                        int at = 1 + random.nextInt(lines.size() - 1);
                        lines.add(at, lines.get(at));
                    }
                    break;
                case 4:
                    body = body.isEmpty() ? body : body.substring(0, random.nextInt(body.length()));
                    break;
                case 5:
                    body = flip(random, body, (char) (0x80 + random.nextInt(0x80)));
                    break;
                case 6:
                    body = flip(random, body, (char) (0x20 + random.nextInt(0x5f)));
                    break;
                default: {
                    String head = String.join("\r\n", lines);
                    head = flip(random, head, (char) random.nextInt(0x100));
                    lines = new ArrayList<>(List.of(head.split("\r\n", -1)));
                    break;
                }
            }
        }
        return String.join("\r\n", lines) + "\r\n\r\n" + body;
    }

    private static String flip(Random random, String text, char c) {
        if (text.isEmpty()) {
            return text;
        }
        int at = random.nextInt(text.length());
        return text.substring(0, at) + c + text.substring(at + 1);
    }

    /** A valid 101, or one of the ways a server may get it wrong. */
    private static Function<String, byte[]> upgradeAnswer(Random random, List<String> made) {
        int kind = random.nextInt(10);
        String status = kind == 0 ? STATUS_LINES.get(random.nextInt(STATUS_LINES.size()))
                : "HTTP/1.1 101 Switching Protocols";
        boolean wrongAccept = kind == 1;
        String extra = kind == 2 ? ANSWER_HEADERS.get(random.nextInt(ANSWER_HEADERS.size())) + "\r\n" : "";
        made.add(kind == 0 ? "status " + status : wrongAccept ? "wrong accept"
                : kind == 2 ? "with " + extra.strip() : "valid 101");
        return accept -> (status + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + (wrongAccept ? "x" + accept.substring(1) : accept) + "\r\n" + extra + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String printable(String text) {
        StringBuilder b = new StringBuilder();
        for (char c : text.substring(0, Math.min(text.length(), 300)).toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.toString();
    }
}
