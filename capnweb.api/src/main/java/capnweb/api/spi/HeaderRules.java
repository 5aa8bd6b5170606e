package capnweb.api.spi;

import java.util.Objects;

/**
 * What a header set through options may hold (RFC 9110, 5.1 and 5.5): a name of token
 * characters, none of the headers the transport writes itself, and a value of one line of
 * Latin-1 text. Checked when it is set, so that a value from elsewhere cannot add headers of its
 * own with a line break, nor fail a request later. For the options of the API and of transports'
 * own builders.
 */
public final class HeaderRules {
    private HeaderRules() {
    }

    /**
     * Checks a header an option sets.
     *
     * @param setting the option, for the message, e.g. {@code "ClientOptions.header"}
     * @param name the header's name
     * @param value the header's value
     * @throws IllegalArgumentException if the name or the value breaks the rules, or the header is
     *     one the transport writes itself
     */
    public static void check(String setting, String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(setting + " needs a header name; got an empty one.");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException(setting + " got the header name \"" + printable(name) + "\", "
                        + "whose character at index " + i + " cannot be in one: a name is letters, digits and "
                        + "!#$%&'*+-.^_`|~ only.");
            }
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (TRANSPORTS_OWN.contains(lower) || lower.startsWith("sec-websocket-")) {
            throw new IllegalArgumentException(setting + " cannot set " + name + ": the transport sets it for each "
                    + "request or answer. Its framing and connection headers, Host and the WebSocket handshake's "
                    + "headers are its own.");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException(setting + " got a value for " + name + " with "
                        + (c == '\r' || c == '\n' ? "a line break" : c > 0xff ? "a character beyond Latin-1"
                        : "a control character") + " at index " + i + ": a header value is one line of text.");
            }
        }
    }

    /**
     * Headers a transport writes itself: the message's framing, the connection's, and Host. Set
     * by hand they break the exchange: a Content-Length that does not match sends part of a batch
     * as a request of its own, one on an upgrade holds it waiting for a body.
     */
    private static final java.util.Set<String> TRANSPORTS_OWN = java.util.Set.of("content-length",
            "transfer-encoding", "connection", "upgrade", "keep-alive", "proxy-connection", "te", "trailer", "host",
            "expect");

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c)
                : new String(Character.toChars(c))));
        return b.toString();
    }
}
