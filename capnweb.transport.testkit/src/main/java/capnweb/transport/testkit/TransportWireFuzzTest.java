package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers below Cap'n Web, each on a connection of its own, chosen at random from a fixed
 * seed.
 *
 * <p>HTTP: valid batch, preflight and upgrade requests, mangled (bytes flipped, lines dropped or
 * doubled, troublesome headers, odd methods, versions and paths, bodies cut or not UTF-8). Every
 * one must get an answer below 500 (or 505 for an HTTP version the server does not speak), each
 * error with a body that says why, or have its connection closed, and never hang.
 *
 * <p>WebSocket: after a valid upgrade, frames of a valid call mangled (any opcode, FIN and
 * reserved bits, unmasked, lengths declared longer than sent or far beyond the message limit or
 * not in their shortest form, control frames too long or fragmented, close frames with bad codes,
 * text that is not UTF-8 or not JSON). The server must end each connection once the peer has
 * nothing more to send, and never hang.
 *
 * <p>After either, the server serves as before and holds no session.
 *
 * <p>Deterministic: the seed ({@code -DhttpFuzz.seed}, default fixed) and the number of requests
 * or WebSocket connections ({@code -DhttpFuzz.requests}, default 300) pick the same ones on
 * every run.
 *
 * <p>Using it: {@code class XTransportWireFuzzTest extends TransportWireFuzzTest} returning the
 * provider.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class TransportWireFuzzTest extends HardeningSupport {
    private static final long SEED = Long.getLong("httpFuzz.seed", 20261125L);
    private static final int REQUESTS = Integer.getInteger("httpFuzz.requests", 300);
    /** How long one exchange may take to end once the request is sent; a hang is a failure. */
    private static final int EXCHANGE_MILLIS = 10_000;
    private static final Pattern STATUS = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3})[^\\r\\n]*\\r\\n");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)");

    private static final String BATCH = "[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]\n[\"pull\",1]";
    private static final List<String> HEADERS = List.of(
            "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Content-Length: -1",
            "Content-Length: 99999999999999999999", "Content-Length: 5, 6", "Content-Length: 0",
            "Expect: 100-continue", "Expect: something-else", "Upgrade: websocket", "Connection: Upgrade",
            "Connection: close", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: x",
            "Sec-WebSocket-Extensions: permessage-deflate", "Host:", "Host: a, b", "Origin: null",
            "Content-Type: application/json", "X-Large: " + "a".repeat(9_000), "Authorization: Bearer \u00ff",
            "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAAP__", "Forwarded: for=\"[::1\"");
    private static final List<String> METHODS = List.of("GET", "PUT", "DELETE", "OPTIONS", "HEAD", "CONNECT",
            "TRACE", "PATCH", "PRI", "G\u00c9T", "get", "");
    private static final List<String> VERSIONS = List.of("HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1x", "HTTP/", "");
    private static final List<String> TARGETS = List.of("/rpc?x=%zz", "//rpc", "/rpc/../rpc", "*",
            "http://elsewhere/rpc", "/%00", "/rpc#f", "/" + "r".repeat(10_000), "/rpc?" + "q=1&".repeat(3_000));

    @Test
    void mangledRequestsAreAnsweredBelow500OrClosedAndTheServerCarriesOn() throws Exception {
        RpcServer server = startServer(b -> b);
        URI uri = server.uri();
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            byte[] request = mangle(random, base(random, uri));
            String text = new String(request, StandardCharsets.ISO_8859_1);
            String problem = exchange(uri, request, text.startsWith("HEAD ") || mayRefuseWithoutBody(text), statuses);
            if (problem != null) {
                failures.add("request " + i + " " + printable(request) + ": " + problem);
            }
        }
        assertThat(failures).as("seed %d", SEED).isEmpty();
        // What the mangles left valid was served: the run reached Cap'n Web, not only the parser.
        assertThat(statuses).as("the statuses answered").containsKeys(101, 200, 400, 404, 405);

        assertNewSessionWorks(server);
        assertThat(RawHttp.post(uri, BATCH).body()).isEqualTo("[\"resolve\",1,3]");
        await("the server holds no session", WAIT, () -> server.openSessions() == 0);
    }

    @Test
    void mangledWebSocketFramesEndTheirConnectionAndTheServerCarriesOn() throws Exception {
        RpcServer server = startServer(b -> b);
        URI ws = webSocketUri(server);
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int answered = 0;
        for (int i = 0; i < REQUESTS; i++) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            List<String> made = new ArrayList<>();
            for (int f = 1 + random.nextInt(4); f > 0; f--) {
                made.add(mangledFrame(random, frames));
            }
            try (PlainWebSocket socket = PlainWebSocket.open(ws, 0)) {
                try {
                    socket.sendRaw(frames.toByteArray());
                    socket.shutdownOutput();
                } catch (IOException e) {
                    continue; // closed by the server while the frames were still sent
                }
                String first;
                try {
                    first = socket.readText(java.time.Duration.ofMillis(EXCHANGE_MILLIS));
                } catch (SocketTimeoutException e) {
                    failures.add("connection " + i + " " + made + ": nothing within " + EXCHANGE_MILLIS + " ms");
                    continue;
                } catch (IOException e) {
                    continue; // reset: ended
                }
                if (first != null) {
                    answered++;
                }
                if (!socket.awaitEndOfStream(java.time.Duration.ofMillis(EXCHANGE_MILLIS))) {
                    failures.add("connection " + i + " " + made + ": still open " + EXCHANGE_MILLIS
                            + " ms after the peer stopped sending");
                }
            }
        }
        assertThat(failures).as("seed %d", SEED).isEmpty();
        assertThat(answered).as("connections whose call or error got a text answer").isPositive();

        assertNewSessionWorks(server);
        await("the server holds no session", WAIT, () -> server.openSessions() == 0);
    }

    /** The frames of a valid call, from its client. */
    private static final String[] CALL = {"[\"push\",[\"pipeline\",0,[\"add\"],[1,2]]]", "[\"pull\",1]"};

    private static String mangledFrame(Random random, ByteArrayOutputStream out) {
        return mangledFrame(random, out, CALL, true);
    }

    /**
     * Writes one frame: one of {@code messages}, or its text mangled, in a frame that may be
     * mangled too; for the client fuzz as well.
     *
     * @param fromClient whether a valid frame is masked, as a client's must be and a server's
     *     must not
     * @return what was made, for a failure's message
     */
    static String mangledFrame(Random random, ByteArrayOutputStream out, String[] messages, boolean fromClient) {
        byte[] payload = messages[random.nextInt(messages.length)].getBytes(StandardCharsets.UTF_8);
        int opcode = 1;
        boolean fin = true;
        int rsv = 0;
        boolean masked = fromClient;
        int lengthForm = payload.length < 126 ? 0 : 1;
        long declared = -1;
        String what;
        switch (random.nextInt(12)) {
            case 0:
                what = "valid";
                break;
            case 1:
                opcode = random.nextInt(16);
                what = "opcode " + opcode;
                break;
            case 2:
                fin = false;
                what = "not final";
                break;
            case 3:
                rsv = 1 + random.nextInt(7);
                what = "reserved bits " + rsv;
                break;
            case 4:
                masked = !fromClient;
                what = masked ? "masked" : "unmasked";
                break;
            case 5:
                declared = payload.length + 1 + random.nextInt(1000);
                what = "declared " + declared + " bytes, sent " + payload.length;
                break;
            case 6:
                lengthForm = 2;
                declared = random.nextBoolean() ? Long.MAX_VALUE : (1L << 31) + random.nextInt(1000);
                what = "declared " + declared + " bytes";
                break;
            case 7:
                lengthForm = 1 + random.nextInt(2);
                what = "length not in its shortest form";
                break;
            case 8:
                opcode = 8 + random.nextInt(3);
                payload = new byte[126 + random.nextInt(200)];
                fin = random.nextBoolean();
                what = "control frame " + opcode + " of " + payload.length + " bytes, fin " + fin;
                break;
            case 9: {
                opcode = 8;
                int[] codes = {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535};
                int code = codes[random.nextInt(codes.length)];
                byte[] reason = random.nextBoolean() ? new byte[] {(byte) 0xff, (byte) 0xc0} : new byte[0];
                payload = new byte[random.nextInt(4) == 0 ? 1 : 2 + reason.length];
                payload[0] = (byte) (code >>> 8);
                if (payload.length > 1) {
                    payload[1] = (byte) code;
                    System.arraycopy(reason, 0, payload, 2, reason.length);
                }
                what = "close " + code + " of " + payload.length + " bytes";
                break;
            }
            case 10: {
                payload = payload.clone();
                payload[random.nextInt(payload.length)] = (byte) (0x80 + random.nextInt(0x80));
                what = "text not UTF-8, or not JSON";
                break;
            }
            default: {
                payload = payload.clone();
                payload[random.nextInt(payload.length)] = (byte) (0x20 + random.nextInt(0x5f));
                what = "text with a byte changed";
                break;
            }
        }
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        long length = declared >= 0 ? declared : payload.length;
        int maskBit = masked ? 0x80 : 0;
        if (lengthForm == 0 && length < 126) {
            out.write(maskBit | (int) length);
        } else if (lengthForm <= 1 && length < 65536) {
            out.write(maskBit | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        if (masked) {
            random.nextBytes(mask);
            out.write(mask, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i & 3]);
        }
        return what;
    }

    /**
     * Whether the transport's HTTP server may refuse this request with an empty body, before it
     * reaches Cap'n Web; by default none may.
     *
     * @param request the request as sent
     * @return true for a request the HTTP library answers itself without a body
     */
    protected boolean mayRefuseWithoutBody(String request) {
        return false;
    }

    /** One of the requests a client sends, well formed. */
    private static String base(Random random, URI uri) {
        String host = "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n";
        String path = uri.getRawPath();
        switch (random.nextInt(4)) {
            case 0:
                return "POST " + path + " HTTP/1.1\r\n" + host + "Content-Type: text/plain\r\nContent-Length: "
                        + BATCH.length() + "\r\n\r\n" + BATCH;
            case 1:
                return "POST " + path + " HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(BATCH.length()) + "\r\n" + BATCH + "\r\n0\r\n\r\n";
            case 2:
                return "GET " + path + " HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            default:
                return "OPTIONS " + path + " HTTP/1.1\r\n" + host + "Origin: https://example.com\r\n"
                        + "Access-Control-Request-Method: POST\r\n\r\n";
        }
    }

    /** The request with one to three mangles, as ISO-8859-1 bytes so that any byte may occur. */
    private static byte[] mangle(Random random, String request) {
        int head = request.indexOf("\r\n\r\n");
        List<String> lines = new ArrayList<>(Arrays.asList(request.substring(0, head).split("\r\n", -1)));
        String body = request.substring(head + 4);
        int times = 1 + random.nextInt(3);
        for (int t = 0; t < times; t++) {
            String[] start = lines.get(0).split(" ", -1);
            switch (random.nextInt(9)) {
                case 0: { // a byte flipped to any byte, in the head
                    int line = random.nextInt(lines.size());
                    StringBuilder s = new StringBuilder(lines.get(line));
                    if (s.length() > 0) {
                        s.setCharAt(random.nextInt(s.length()), (char) random.nextInt(256));
                        lines.set(line, s.toString());
                    }
                    break;
                }
                case 1: // a header dropped
                    if (lines.size() > 1) {
                        lines.remove(1 + random.nextInt(lines.size() - 1));
                    }
                    break;
                case 2: // a header doubled
                    if (lines.size() > 1) {
                        lines.add(lines.get(1 + random.nextInt(lines.size() - 1)));
                    }
                    break;
                case 3:
                    lines.add(1 + random.nextInt(lines.size()), HEADERS.get(random.nextInt(HEADERS.size())));
                    break;
                case 4:
                    start[0] = METHODS.get(random.nextInt(METHODS.size()));
                    lines.set(0, String.join(" ", start));
                    break;
                case 5:
                    start[start.length - 1] = VERSIONS.get(random.nextInt(VERSIONS.size()));
                    lines.set(0, String.join(" ", start));
                    break;
                case 6:
                    if (start.length > 1) {
                        start[1] = TARGETS.get(random.nextInt(TARGETS.size()));
                        lines.set(0, String.join(" ", start));
                    }
                    break;
                case 7: // the body cut short, or not UTF-8
                    if (!body.isEmpty()) {
                        int at = random.nextInt(body.length());
                        body = random.nextBoolean() ? body.substring(0, at)
                                : body.substring(0, at) + "\u00ff\u00fe\u00c0" + body.substring(at);
                    }
                    break;
                default: // the whole request cut short
                    String whole = String.join("\r\n", lines) + "\r\n\r\n" + body;
                    String cut = whole.substring(0, random.nextInt(whole.length()));
                    return cut.getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        return (String.join("\r\n", lines) + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends the request on a connection of its own, half-closes it, and reads until the server
     * closes it.
     *
     * @param statuses counts the statuses answered
     * @return what was wrong with the answer, or null if nothing
     */
    private static String exchange(URI uri, byte[] request, boolean bodiless, Map<Integer, Integer> statuses)
            throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(EXCHANGE_MILLIS);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (IOException e) {
                return null; // closed by the server while it was still sent: an answer too
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXCHANGE_MILLIS);
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                    if (System.nanoTime() > deadline) {
                        return "the server kept sending for " + EXCHANGE_MILLIS + " ms";
                    }
                }
            } catch (SocketTimeoutException e) {
                return "neither an answer's end nor a close within " + EXCHANGE_MILLIS + " ms; read "
                        + printable(answer.toByteArray());
            } catch (IOException e) {
                // Reset: what was read before still counts.
            }
        }
        return problemWith(answer.toString(StandardCharsets.ISO_8859_1), bodiless, statuses);
    }

    /**
     * @param bodiless whether the answers may have no body: those to a HEAD, or as allowed by
     *     {@link #mayRefuseWithoutBody}
     * @param statuses counts the statuses answered
     * @return what is wrong with the answers read, or null
     */
    private static String problemWith(String answers, boolean bodiless, Map<Integer, Integer> statuses) {
        Matcher status = STATUS.matcher(answers);
        while (status.find()) {
            int code = Integer.parseInt(status.group(1));
            statuses.merge(code, 1, Integer::sum);
            // 505: the client asked for an HTTP version the server does not speak.
            if (code >= 500 && code != 505) {
                return "answered " + status.group().trim() + ": " + printable(answers.getBytes(StandardCharsets.ISO_8859_1));
            }
            if (code >= 400 && !bodiless) {
                int headEnd = answers.indexOf("\r\n\r\n", status.end() - 2);
                Matcher length = CONTENT_LENGTH.matcher(
                        answers.substring(status.start(), headEnd < 0 ? answers.length() : headEnd));
                boolean saysWhy = (length.find() && Integer.parseInt(length.group(1)) > 0)
                        || (headEnd >= 0 && answers.length() > headEnd + 4);
                if (!saysWhy) {
                    return "answered " + status.group().trim() + " without a body that says why";
                }
            }
        }
        return null;
    }

    /** Bytes as a short line: control and non-ASCII bytes escaped, cut at 300 characters. */
    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < bytes.length && s.length() < 300; i++) {
            int b = bytes[i] & 0xff;
            s.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return s.length() >= 300 ? s + "..." : s.toString();
    }
}
