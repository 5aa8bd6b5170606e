package capnweb.transport.jetty;

import capnweb.api.spi.TransportText;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own answers of the server this transport runs (a path other than Cap'n Web's, a request
 * Jetty could not parse, a failure) as a sentence in plain text, as the Vert.x server and the
 * Cap'n Web handler answer, rather than an HTML page that names Jetty and its version.
 */
final class PlainTextErrors extends ErrorHandler {
    private final String path;

    PlainTextErrors(String path) {
        this.path = path;
    }

    /** Every method gets a sentence, not only GET, POST and HEAD as Jetty's default. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        String text;
        if (code == 404) {
            text = TransportText.notFound(path);
        } else if (code >= 400 && code < 500 || code == 505) {
            text = TransportText.unreadableRequest(code, message);
        } else {
            // The cause of a failure is for the log, not for the peer.
            text = "The server failed to answer this request (HTTP status " + code + ").";
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        Content.Sink.write(response, true, text, callback);
    }
}
