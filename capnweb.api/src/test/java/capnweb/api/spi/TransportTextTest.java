package capnweb.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.SessionRefusedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TransportTextTest {

    @Test
    void countsUtf8LengthLikeTheEncoder() {
        for (String s : new String[] {"", "abc", "a\u00e9", "\u20ac x", "\uD83D\uDE00", "x".repeat(5000) + "\u00e9"}) {
            assertThat(TransportText.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
        // A lone surrogate counts as the three bytes a peer's encoder would write for it.
        assertThat(TransportText.utf8Length("\uD800")).isEqualTo(3);
        assertThat(TransportText.utf8Length("x\uDC00y")).isEqualTo(5);
        assertThat(TransportText.utf8Length("ab\uD83D")).isEqualTo(5);
    }

    @Test
    void abortMessageCarriesTheReasonAsAnErrorEvenWithCharactersJsonMustEscape() {
        String reason = "Bad \"frame\"\\ at\n\tline\u0001 \u2028 \u00e9";
        assertThat(TransportText.abortMessage(reason)).isEqualTo(
                "[\"abort\",[\"error\",\"Error\",\"Bad \\\"frame\\\"\\\\ at\\n\\tline\\u0001 \\u2028 \u00e9\"]]");
    }

    @Test
    void closeReasonFitsACloseFrameWithoutSplittingACharacter() {
        assertThat(TransportText.closeReason("short")).isEqualTo("short");
        String euros = "\u20ac".repeat(60); // 180 bytes
        String cut = TransportText.closeReason(euros);
        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(123);
        assertThat(cut).isEqualTo("\u20ac".repeat(41));
        String mixed = "a" + "\u20ac".repeat(60); // the limit falls inside a character
        assertThat(TransportText.closeReason(mixed)).isEqualTo("a" + "\u20ac".repeat(40));
    }

    @Test
    void aFailureReasonIsTheMessageWithoutItsPeriod() {
        assertThat(TransportText.failureReason(new java.io.IOException("Connection refused."))).isEqualTo("Connection refused");
        assertThat(TransportText.failureReason(new java.io.IOException("Connection refused"))).isEqualTo("Connection refused");
    }

    @Test
    void aFailedTlsHandshakeIsNamedWithItsInnermostReasonAndAdvice() {
        javax.net.ssl.SSLHandshakeException inner = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
        javax.net.ssl.SSLHandshakeException outer = new javax.net.ssl.SSLHandshakeException("Failed to create SSL connection");
        outer.initCause(inner);
        assertThat(TransportText.failureReason(new java.io.IOException("Failed to create SSL connection", outer)))
                .isEqualTo("the TLS handshake failed (PKIX path building failed). If the server's certificate is "
                        + "self-signed or issued by a private authority, trust it with ClientOptions.tlsTrust");
        assertThat(TransportText.failureReason(new javax.net.ssl.SSLHandshakeException(
                "No subject alternative names matching IP address 127.0.0.1 found")))
                .isEqualTo("the TLS handshake failed (No subject alternative names matching IP address 127.0.0.1 "
                        + "found). The certificate was issued for other names: connect by a name it carries");
    }

    @Test
    void aServerRefusingTheClientsCertificateIsNamedWithWhatToGiveIt() {
        String advice = "The server requires a client certificate it trusts: give the client its key and "
                + "certificate with ClientOptions.tlsKeys";
        assertThat(TransportText.failureReason(new javax.net.ssl.SSLHandshakeException(
                "Received fatal alert: bad_certificate")))
                .isEqualTo("the TLS handshake failed (Received fatal alert: bad_certificate). " + advice);
        // Under TLS 1.3 the alert can come after the client's side of the handshake is done.
        assertThat(TransportText.failureReason(new java.io.IOException("closed",
                new javax.net.ssl.SSLException("Received fatal alert: certificate_required"))))
                .isEqualTo("the TLS handshake failed (Received fatal alert: certificate_required). " + advice);
        assertThat(TransportText.failureReason(new javax.net.ssl.SSLHandshakeException(
                "(certificate_required) Received fatal alert: certificate_required"))) // as JDK 25 words it
                .isEqualTo("the TLS handshake failed ((certificate_required) Received fatal alert: "
                        + "certificate_required). " + advice);
        assertThat(TransportText.failureReason(new javax.net.ssl.SSLHandshakeException(
                "Received fatal alert: handshake_failure"))).endsWith("trust it with ClientOptions.tlsTrust");
        assertThat(TransportText.failureReason(new javax.net.ssl.SSLException("Tag mismatch")))
                .isEqualTo("Tag mismatch");
    }

    @Test
    void anHttpRefusalQuotesAShortPlainTextBodyOnly() {
        assertThat(TransportText.httpRefusal(401, "Unauthorized", "text/plain; charset=utf-8", "Sign in first.\n"))
                .isEqualTo("HTTP status 401 Unauthorized: Sign in first");
        assertThat(TransportText.httpRefusal(503, null, null, "Try later")).isEqualTo("HTTP status 503: Try later");
        assertThat(TransportText.httpRefusal(404, "Not Found", "text/html", "<html>nope</html>"))
                .isEqualTo("HTTP status 404 Not Found");
        assertThat(TransportText.httpRefusal(500, "", "text/plain", "x".repeat(TransportText.MAX_QUOTED_BODY_CHARS + 1)))
                .isEqualTo("HTTP status 500");
        assertThat(TransportText.httpRefusal(500, null, "text/plain", "line one\nline two")).isEqualTo("HTTP status 500");
        assertThat(TransportText.httpRefusal(502, "Bad Gateway", null, null)).isEqualTo("HTTP status 502 Bad Gateway");
    }

    @Test
    void anUpgradeThatCannotSucceedIsRefusedWithAVersionQuotedShortAndWithoutControlCharacters() {
        SessionRefusedException draft = TransportText.webSocketHandshakeRefusal("8", "a key");
        assertThat(draft.status()).isEqualTo(426);
        assertThat(draft.headers()).containsEntry("Sec-WebSocket-Version", "13");
        assertThat(draft.getMessage())
                .isEqualTo("The WebSocket upgrade asks for version \"8\"; this server speaks version 13 (RFC 6455) only.");
        assertThat(TransportText.webSocketHandshakeRefusal(null, "a key").getMessage()).isEqualTo(
                "The WebSocket upgrade asks for no version (Sec-WebSocket-Version); this server speaks version 13 "
                        + "(RFC 6455) only.");
        assertThat(TransportText.webSocketHandshakeRefusal("1\u001b[2J" + "9".repeat(100), "a key").getMessage())
                .startsWith("The WebSocket upgrade asks for version \"1?[2J" + "9".repeat(15) + "...\";");
        SessionRefusedException noKey = TransportText.webSocketHandshakeRefusal("13", null);
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.getMessage()).isEqualTo("The WebSocket upgrade has no Sec-WebSocket-Key header; "
                + "send the upgrade from a WebSocket client, which adds one.");
        assertThat(TransportText.webSocketHandshakeRefusal("13", "a key")).isNull();
    }

    @Test
    void anUnreadableRequestIsNamedByItsStatusWithTheServersDetailCleaned() {
        assertThat(TransportText.unreadableRequest(414, "ignored"))
                .isEqualTo("The request's URI is longer than this server takes; send a shorter one.");
        assertThat(TransportText.unreadableRequest(431, null))
                .isEqualTo("The request's headers are larger than this server takes; send fewer or smaller ones.");
        assertThat(TransportText.unreadableRequest(505, "HTTP/9.9"))
                .isEqualTo("The request names an HTTP version this server does not speak; send HTTP/1.1.");
        assertThat(TransportText.unreadableRequest(400, null)).isEqualTo("The server could not read this HTTP request (status 400).");
        assertThat(TransportText.unreadableRequest(400, "bad\r\nSet-Cookie: x" + "y".repeat(300)))
                .startsWith("The server could not read this HTTP request (status 400): bad??Set-Cookie: x")
                .endsWith("y....").hasSizeLessThan(280);
        assertThat(TransportText.notFound("/rpc")).isEqualTo("Not found: Cap'n Web is served at /rpc.");
    }

    @Test
    void strictUtf8RefusesBadBytesButKeepsAReplacementCharacterThatWasSent() {
        assertThat(TransportText.strictUtf8("[\"ok\"]".getBytes(StandardCharsets.UTF_8))).isEqualTo("[\"ok\"]");
        String sent = "[\"\uFFFD is a character too, as is \u00e9\"]";
        assertThat(TransportText.strictUtf8(sent.getBytes(StandardCharsets.UTF_8))).isEqualTo(sent);
        assertThat(TransportText.strictUtf8(new byte[] {'[', '"', (byte) 0xff, '"', ']'})).isNull();
        assertThat(TransportText.strictUtf8(new byte[] {(byte) 0xc3})).as("cut within a character").isNull();
        assertThat(TransportText.strictUtf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}))
                .as("an encoded surrogate").isNull();
    }

    @Test
    void aClientsUpgradeAndConnectionFailuresAreSentences() {
        assertThat(TransportText.webSocketClosed(1006, "Session Closed"))
                .isEqualTo("The WebSocket connection ended without a closing handshake (code 1006).");
        assertThat(TransportText.webSocketClosed(1011, "bad\nthing")).isEqualTo("The WebSocket closed with code 1011 (bad?thing).");
        assertThat(TransportText.webSocketClosed(1000, null)).isEqualTo("The WebSocket closed with code 1000.");
        assertThat(TransportText.upgradeSubprotocol("chat\r\n")).isEqualTo(
                "the server answered the upgrade with the subprotocol \"chat??\", which the client did not offer");
        // A wrapper whose message starts with its causes' class names keeps the words only.
        assertThat(TransportText.failureReason(new java.io.IOException("org.example.core.UpgradeException: "
                + "org.example.HttpResponseException: Unexpected answer.")))
                .isEqualTo("Unexpected answer");
        assertThat(TransportText.failureReason(new java.io.IOException(null, new java.io.IOException("Broken pipe"))))
                .as("the first message along the causes").isEqualTo("Broken pipe");
        assertThat(TransportText.failureReason(new java.nio.channels.AsynchronousCloseException()))
                .isEqualTo("the connection was closed");
        assertThat(TransportText.failureReason(new IllegalStateException()))
                .isEqualTo("the connection failed (IllegalStateException, with no message)");
        assertThat(TransportText.failureReason(new java.io.IOException("java.net.SocketException is fine in a sentence")))
                .isEqualTo("java.net.SocketException is fine in a sentence");
    }
}
