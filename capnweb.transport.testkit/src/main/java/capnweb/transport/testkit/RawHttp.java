package capnweb.transport.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plain HTTP requests through the JDK's {@code java.net.http}, independent of every transport under
 * test. Transports' own tests use it too, so that their modules need not read {@code java.net.http}.
 */
public final class RawHttp {
    /**
     * An HTTP response.
     *
     * @param status the status code
     * @param body the body as text
     * @param headers the headers, names in lower case
     */
    public record Response(int status, String body, Map<String, List<String>> headers) {
        /**
         * @param name a header name, any case
         * @return its first value, if present
         */
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private RawHttp() {
    }

    /**
     * POSTs a text body (with a Content-Length).
     *
     * @param uri where to
     * @param body the body, sent as UTF-8
     * @return the response
     */
    public static Response post(URI uri, String body) {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * POSTs bytes without announcing their length (chunked).
     *
     * @param uri where to
     * @param body the bytes
     * @return the response
     */
    public static Response postChunked(URI uri, byte[] body) {
        return send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    /**
     * POSTs bytes as they are.
     *
     * @param uri where to
     * @param body the bytes
     * @return the response
     */
    public static Response postBytes(URI uri, byte[] body) {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /**
     * Sends a request without a body.
     *
     * @param method the method, e.g. {@code GET}
     * @param uri where to
     * @param headers name, value, name, value...
     * @return the response
     */
    public static Response request(String method, URI uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    /**
     * The head of a batch POST, to write on a socket of one's own.
     *
     * @param uri where to
     * @param length the length line, e.g. {@code Content-Length: 100}
     * @param headers further header lines, each ending with CRLF
     * @return the head's bytes, up to and with the empty line
     */
    public static byte[] batchHead(URI uri, String length, String... headers) {
        return ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Type: text/plain\r\n" + length + "\r\n" + String.join("", headers) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Sends a batch POST's head announcing a body of 100,000 bytes, and none of the body, with and
     * without {@code Expect: 100-continue}: a server that answers must do so on the head alone.
     *
     * @param uri where to
     * @param timeout how long to wait for each answer
     * @return the start of each answer's status line, e.g. {@code HTTP/1.1 401}, without then with
     *     the expectation
     * @throws java.io.IOException if a connection fails, or an answer does not come in time
     */
    public static List<String> statusesOfUnsentBodies(URI uri, Duration timeout) throws IOException {
        List<String> statuses = new java.util.ArrayList<>();
        for (String expect : List.of("", "Expect: 100-continue\r\n")) {
            try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout((int) timeout.toMillis());
                socket.getOutputStream().write(batchHead(uri, "Content-Length: 100000", expect));
                statuses.add(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
            }
        }
        return statuses;
    }

    /**
     * Sends one HTTP/1.1 request on a socket of its own, with headers the JDK's client will not
     * send (such as {@code Upgrade}), and reads the answer that is not an upgrade: its head and a
     * body of the length it declares, or chunked.
     *
     * @param method the method, e.g. {@code GET}
     * @param uri where to
     * @param body the body, sent as UTF-8 with its length unless empty
     * @param headers further header lines, each ending with CRLF
     * @return the response
     * @throws IOException if the connection fails, or the answer does not come within 10 s
     */
    public static Response overSocket(String method, URI uri, String body, String... headers) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\n" + (content.length > 0 ? "Content-Type: text/plain\r\nContent-Length: " + content.length
                        + "\r\n" : "") + String.join("", headers) + "\r\n";
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            String[] status = line(in).split(" ", 3);
            Map<String, List<String>> fields = new java.util.TreeMap<>();
            for (String field = line(in); !field.isEmpty(); field = line(in)) {
                int colon = field.indexOf(':');
                fields.computeIfAbsent(field.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        k -> new java.util.ArrayList<>()).add(field.substring(colon + 1).trim());
            }
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            if (fields.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
                for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
                        size = Integer.parseInt(line(in).trim(), 16)) {
                    answer.write(in.readNBytes(size));
                    line(in);
                }
            } else {
                answer.write(in.readNBytes(Integer.parseInt(fields.getOrDefault("content-length", List.of("0")).get(0))));
            }
            return new Response(Integer.parseInt(status[1]), answer.toString(StandardCharsets.UTF_8), fields);
        }
    }

    /** A line of an HTTP head, without its CRLF. */
    private static String line(java.io.InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("The server closed the connection within an answer's head: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new AssertionError("The HTTP request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }
}
