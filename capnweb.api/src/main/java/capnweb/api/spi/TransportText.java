package capnweb.api.spi;

import capnweb.api.SessionRefusedException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Text that every WebSocket transport needs: the size of a message on the wire, the
 * {@code abort} message a transport sends when it refuses a peer before or outside a session, a
 * close reason cut to fit a close frame, UTF-8 decoded strictly, and the sentences both servers
 * answer bad requests with.
 */
public final class TransportText {
    /** RFC 6455 section 5.5: a close frame carries at most 125 bytes, 2 of them the code. */
    public static final int MAX_CLOSE_REASON_BYTES = 123;

    /** The answer (405) to a request on a Cap'n Web path that is neither a POST nor an upgrade. */
    public static final String ONLY_POST = "This endpoint only accepts POST requests (Cap'n Web HTTP batch) "
            + "and WebSocket upgrades.";

    /** Why {@code RpcServer.updateTlsKeys} failed on a server that was closed. */
    public static final String CLOSED_SERVER_KEYS = "The server is closed, so no connection would get the new TLS "
            + "keys: start a new server with ServerOptions.tls(...) to serve them.";

    /**
     * Why a client's upgrade failed when the server's 101 carried the wrong accept value: it did
     * not read this client's key (RFC 6455, 4.1), so it is no WebSocket server of this client's.
     */
    public static final String UPGRADE_ACCEPT_MISMATCH = "the server answered the upgrade with a Sec-WebSocket-Accept "
            + "value that does not match the key the client sent";

    /**
     * How a WebSocket session's connection ended, for the error its pending calls fail with: the
     * close code and the peer's reason, or for 1006 (no closing handshake) what that means, since
     * a library's own reason for it ("Session Closed") says nothing.
     *
     * @param code the close code
     * @param reason the reason the peer gave, or null
     * @return the sentence
     */
    public static String webSocketClosed(int code, String reason) {
        if (code == 1006) {
            return "The WebSocket connection ended without a closing handshake (code 1006).";
        }
        return "The WebSocket closed with code " + code + (reason == null || reason.isEmpty() ? ""
                : " (" + cleaned(reason, MAX_CLOSE_REASON_BYTES) + ")") + ".";
    }

    /** Why a client's upgrade failed when the server's answer to it was not HTTP. */
    public static final String UPGRADE_NOT_HTTP = "the server's answer to the upgrade is not valid HTTP";

    /**
     * Why a client's upgrade failed when the server chose a subprotocol the client never offered
     * (Cap'n Web offers none).
     *
     * @param chosen the subprotocol the server named
     * @return the reason, without a final period
     */
    public static String upgradeSubprotocol(String chosen) {
        return "the server answered the upgrade with the subprotocol \"" + cleaned(chosen, 60) + "\", which the client "
                + "did not offer";
    }

    /**
     * Why an RFC 6455 upgrade cannot succeed, for a server to answer before its factory runs:
     * another version than 13 gets 426 with {@code Sec-WebSocket-Version: 13} (Vert.x alone would
     * accept the drafts before it), a missing key 400, each with a sentence.
     *
     * @param version the upgrade's {@code Sec-WebSocket-Version}, or null if it has none
     * @param key the upgrade's {@code Sec-WebSocket-Key}, or null if it has none
     * @return the refusal to answer with, or null if the upgrade may go on
     */
    public static SessionRefusedException webSocketHandshakeRefusal(String version, String key) {
        if (!"13".equals(version)) {
            return new SessionRefusedException(426, "The WebSocket upgrade asks for "
                    + (version == null ? "no version (Sec-WebSocket-Version)" : "version " + quotedHeader(version))
                    + "; this server speaks version 13 (RFC 6455) only.", Map.of("Sec-WebSocket-Version", "13"));
        }
        if (key == null) {
            return new SessionRefusedException(400, "The WebSocket upgrade has no Sec-WebSocket-Key header; "
                    + "send the upgrade from a WebSocket client, which adds one.");
        }
        return null;
    }

    /**
     * Decodes UTF-8 that must be UTF-8: a peer's batch body or text message. Java's own decoding
     * replaces bad bytes with U+FFFD; this refuses them instead.
     *
     * @param bytes the bytes
     * @return the text, or null if the bytes are not UTF-8
     */
    public static String strictUtf8(byte[] bytes) {
        return strictUtf8(new String(bytes, StandardCharsets.UTF_8), () -> bytes);
    }

    /**
     * Text decoded with replacement (as {@code new String(bytes, UTF_8)} or Vert.x's
     * {@code Buffer.toString} decode), kept only if the bytes were UTF-8. The bytes are checked
     * only when the text holds a U+FFFD: one that stood in the bytes is legitimate, one that
     * replaced bad bytes is not.
     *
     * @param replacingDecode the text as decoded with replacement
     * @param bytes where it came from, asked for only if the text holds a U+FFFD
     * @return the text, or null if the bytes are not UTF-8
     */
    public static String strictUtf8(String replacingDecode, java.util.function.Supplier<byte[]> bytes) {
        return replacingDecode.indexOf('\uFFFD') < 0 || isUtf8(bytes.get()) ? replacingDecode : null;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The answer to a request off the Cap'n Web path of a server the transport runs itself.
     *
     * @param path the path the server serves
     * @return the sentence
     */
    public static String notFound(String path) {
        return "Not found: Cap'n Web is served at " + path + ".";
    }

    /**
     * The answer to a request the HTTP server could not read, before it reached Cap'n Web.
     *
     * @param status the status it is answered with: 414, 431, 505 or another 4xx
     * @param detail what the HTTP server said of it, or null
     * @return the sentence
     */
    public static String unreadableRequest(int status, String detail) {
        switch (status) {
            case 414:
                return "The request's URI is longer than this server takes; send a shorter one.";
            case 431:
                return "The request's headers are larger than this server takes; send fewer or smaller ones.";
            case 505:
                return "The request names an HTTP version this server does not speak; send HTTP/1.1.";
            default:
                return "The server could not read this HTTP request (status " + status + ")"
                        + (detail == null || detail.isBlank() ? "" : ": " + cleaned(detail, 200)) + ".";
        }
    }

    /** A header's value as a sentence quotes it: cut short, and without control characters. */
    private static String quotedHeader(String value) {
        return '"' + cleaned(value, 20) + '"';
    }

    /** Text from a peer, cut to {@code max} characters and without control characters. */
    private static String cleaned(String text, int max) {
        String cut = text.length() > max ? text.substring(0, max) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private TransportText() {
    }

    /**
     * The length of {@code s} in UTF-8, as a peer's encoder writes it (a lone surrogate counts as
     * the three bytes of its replacement character), without encoding it.
     *
     * @param s the text
     * @return its length in bytes
     */
    public static long utf8Length(String s) {
        int length = s.length();
        int ascii = 0;
        // Most text is ASCII: a tight loop, then the general one from the first other character.
        while (ascii < length && s.charAt(ascii) < 0x80) {
            ascii++;
        }
        long n = ascii;
        for (int i = ascii; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * The {@code abort} message carrying an error of type {@code Error} with {@code reason} as its
     * message: what a transport sends before closing when the peer broke a rule of the transport
     * itself (a binary frame, a message over the size limit).
     *
     * @param reason the sentence that says what went wrong
     * @return the message text
     */
    public static String abortMessage(String reason) {
        return "[\"abort\",[\"error\",\"Error\"," + jsonString(reason) + "]]";
    }

    /**
     * {@code reason}, cut to at most {@link #MAX_CLOSE_REASON_BYTES} bytes of UTF-8 without
     * splitting a character, so that it fits a WebSocket close frame.
     *
     * @param reason the close reason
     * @return the reason, or its longest prefix that fits
     */
    public static String closeReason(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        int end = MAX_CLOSE_REASON_BYTES;
        // Back up to the start of the character the limit falls in.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * Why a connection or request failed, for the sentence a client's error starts with
     * ("Could not open a WebSocket to ...: " + this). A failed TLS handshake is named as such,
     * with the innermost reason the TLS layer gave (clients wrap it in less telling messages) and
     * what to do: about a server certificate the JVM does not trust, one issued for other names,
     * or a client certificate the server refused or asked for.
     *
     * @param failure what the client library reported
     * @return the reason, without a final period
     */
    public static String failureReason(Throwable failure) {
        SSLException handshake = null;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            // After TLS 1.3's handshake the server may still refuse the client's certificate: the
            // client then reads an alert outside the handshake.
            if (t instanceof SSLHandshakeException
                    || t instanceof SSLException && String.valueOf(t.getMessage()).contains(PEER_ALERT)) {
                handshake = (SSLException) t;
            }
        }
        if (handshake == null) {
            String message = messageOf(failure);
            // A wrapper's message that starts with its cause's class name: the cause's words only.
            Matcher prefix = CLASS_NAME_PREFIX.matcher(message);
            while (prefix.lookingAt()) {
                message = message.substring(prefix.end());
                prefix = CLASS_NAME_PREFIX.matcher(message);
            }
            return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
        }
        String why = String.valueOf(handshake.getMessage());
        String advice;
        if (why.contains(PEER_ALERT) && (why.contains("certificate") || why.contains("unknown_ca")
                || why.contains("access_denied"))) {
            // The server's alert: it wants a client certificate, or does not trust the one it got.
            advice = "The server requires a client certificate it trusts: give the client its key and certificate "
                    + "with ClientOptions.tlsKeys";
        } else if (why.contains("matching")) {
            // The JDK's words when the certificate is valid but names other hosts.
            advice = "The certificate was issued for other names: connect by a name it carries";
        } else {
            advice = "If the server's certificate is self-signed or issued by a private authority, trust it with "
                    + "ClientOptions.tlsTrust";
        }
        return "the TLS handshake failed (" + why + "). " + advice;
    }

    /**
     * The first message along the causes of {@code failure}; for a failure with none (a channel
     * closed under a read, say), what it stands for.
     */
    private static String messageOf(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank()) {
                return message;
            }
        }
        if (failure instanceof java.nio.channels.ClosedChannelException || failure instanceof java.io.EOFException) {
            return "the connection was closed";
        }
        return "the connection failed (" + failure.getClass().getSimpleName() + ", with no message)";
    }

    /** "org.example.SomeException: ", as a wrapping exception's message starts. */
    private static final Pattern CLASS_NAME_PREFIX = Pattern.compile(
            "(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*: ");

    /**
     * How the JDK words an alert the peer sent: "Received fatal alert: bad_certificate" (JDK 17),
     * "(certificate_required) Received fatal alert: certificate_required" (JDK 25).
     */
    private static final String PEER_ALERT = "Received fatal alert";

    /** How much of a refusal's body a client's error quotes. */
    static final int MAX_QUOTED_BODY_CHARS = 300;

    /**
     * An HTTP status a server refused a request with, and the sentence it gave, for a client's
     * error ("... failed with " + this): {@code HTTP status 401 Unauthorized: Sign in first}. The
     * body is quoted only if it is short plain text, such as a Cap'n Web server's refusals.
     *
     * @param status the status code
     * @param reason the reason phrase, or null
     * @param contentType the response's content type, or null
     * @param body the response's body, or null
     * @return the description, without a final period
     */
    public static String httpRefusal(int status, String reason, String contentType, String body) {
        StringBuilder b = new StringBuilder("HTTP status ").append(status);
        if (reason != null && !reason.isBlank()) {
            b.append(' ').append(reason.strip());
        }
        String text = body == null ? "" : body.strip();
        boolean plain = contentType == null || contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/plain");
        if (plain && !text.isEmpty() && text.length() <= MAX_QUOTED_BODY_CHARS
                && text.chars().noneMatch(c -> c < 0x20)) {
            b.append(": ").append(text.endsWith(".") ? text.substring(0, text.length() - 1) : text);
        }
        return b.toString();
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
