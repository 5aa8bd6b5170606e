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
 * Hostile HTTP: valid batch, preflight and upgrade requests, mangled at random (bytes flipped,
 * lines dropped or doubled, troublesome headers, odd methods, versions and paths, bodies cut or
 * not UTF-8), each sent on its own connection. Every one must get an answer below 500 (or 505
 * for an HTTP version the server does not speak), each error with a body that says why, or have
 * its connection closed, and never hang; afterwards the server serves as before and holds no
 * session.
 *
 * <p>Deterministic: the seed ({@code -DhttpFuzz.seed}, default fixed) and the number of requests
 * ({@code -DhttpFuzz.requests}, default 300) pick the same requests on every run.
 *
 * <p>Using it: {@code class XTransportHttpFuzzTest extends TransportHttpFuzzTest} returning the
 * provider.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class TransportHttpFuzzTest extends HardeningSupport {
    private static final long SEED = Long.getLong("httpFuzz.seed", 20261125L);
    private static final int REQUESTS = Integer.getInteger("httpFuzz.requests", 300);
    /** How long one exchange may take to end once the request is sent; a hang is a failure. */
    private static final int EXCHANGE_MILLIS = 10_000;
    private static final Pattern STATUS = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3})[^\\r\\n]*\\r\\n");

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
                Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)")
                        .matcher(answers.substring(status.start(), headEnd < 0 ? answers.length() : headEnd));
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
