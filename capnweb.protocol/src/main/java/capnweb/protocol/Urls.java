package capnweb.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * URLs as the reference sends them: {@code new URL(href).href}, the WHATWG-normalised form. The
 * common normalisations are applied: lower-case scheme and host, default port dropped, dot
 * segments removed, and an empty path of a special scheme written as {@code /}.
 */
final class Urls {
    private static final Map<String, Integer> SPECIAL = Map.of("http", 80, "https", 443, "ws", 80, "wss", 443,
            "ftp", 21, "file", -1);

    private Urls() {
    }

    /**
     * @throws capnweb.api.RpcException TypeError "Invalid URL" if {@code href} is not an absolute URL
     */
    static URI parse(String href) {
        URI uri;
        try {
            uri = new URI(href.strip());
        } catch (URISyntaxException e) {
            throw Errors.type("Invalid URL: " + href);
        }
        if (!uri.isAbsolute()) {
            throw Errors.type("Invalid URL: " + href);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            return rebuild(scheme + ":" + uri.getRawSchemeSpecificPart()
                    + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment()), href);
        }
        StringBuilder sb = new StringBuilder(href.length());
        sb.append(scheme).append("://");
        if (uri.getRawUserInfo() != null) {
            sb.append(uri.getRawUserInfo()).append('@');
        }
        if (uri.getHost() != null) {
            sb.append(uri.getHost().toLowerCase(Locale.ROOT));
            Integer defaultPort = SPECIAL.get(scheme);
            if (uri.getPort() != -1 && (defaultPort == null || uri.getPort() != defaultPort)) {
                sb.append(':').append(uri.getPort());
            }
        } else {
            sb.append(uri.getRawAuthority());
        }
        String path = uri.getRawPath() == null ? "" : removeDotSegments(uri.getRawPath());
        if (path.isEmpty() && SPECIAL.containsKey(scheme)) {
            path = "/";
        }
        sb.append(path);
        if (uri.getRawQuery() != null) {
            sb.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            sb.append('#').append(uri.getRawFragment());
        }
        return rebuild(sb.toString(), href);
    }

    private static URI rebuild(String text, String href) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw Errors.type("Invalid URL: " + href);
        }
    }

    /** RFC 3986 section 5.2.4, as the WHATWG parser applies it to hierarchical paths. */
    static String removeDotSegments(String path) {
        StringBuilder in = new StringBuilder(path);
        StringBuilder out = new StringBuilder(path.length());
        while (in.length() > 0) {
            String s = in.toString();
            if (s.startsWith("../")) {
                in.delete(0, 3);
            } else if (s.startsWith("./")) {
                in.delete(0, 2);
            } else if (s.startsWith("/./")) {
                in.delete(0, 2);
            } else if (s.equals("/.")) {
                in.replace(0, 2, "/");
            } else if (s.startsWith("/../")) {
                in.delete(0, 3);
                truncateLastSegment(out);
            } else if (s.equals("/..")) {
                in.replace(0, 3, "/");
                truncateLastSegment(out);
            } else if (s.equals(".") || s.equals("..")) {
                in.setLength(0);
            } else {
                int start = s.startsWith("/") ? 1 : 0;
                int next = s.indexOf('/', start);
                int end = next < 0 ? s.length() : next;
                out.append(s, 0, end);
                in.delete(0, end);
            }
        }
        return out.toString();
    }

    private static void truncateLastSegment(StringBuilder out) {
        int slash = out.lastIndexOf("/");
        out.setLength(Math.max(slash, 0));
    }
}
