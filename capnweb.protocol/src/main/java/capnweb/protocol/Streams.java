package capnweb.protocol;

import capnweb.api.RpcBlob;
import capnweb.api.RpcHeaders;
import capnweb.api.RpcReadableStream;
import capnweb.api.RpcRequest;
import capnweb.api.RpcResponse;
import capnweb.api.RpcStreams;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * The stream and Fetch values of the protocol ({@code readable}, {@code writable}, {@code blob},
 * {@code headers}, {@code request}, {@code response}) as the reference encodes them, and the
 * sink a received write goes to.
 */
final class Streams {
    private Streams() {
    }

    /** Where the writes of a peer go: a pipe, or a local subscriber fed through one. */
    interface Sink {
        CompletionStage<Void> write(Object chunk);

        CompletionStage<Void> close();

        CompletionStage<Void> abort(Throwable reason);
    }

    /** Values the engine passes through as they are (not containers to copy, not targets). */
    static boolean isStreamValue(Object v) {
        return v instanceof Flow.Publisher || v instanceof Flow.Subscriber || v instanceof RpcBlob
                || v instanceof RpcHeaders || v instanceof RpcRequest || v instanceof RpcResponse;
    }

    // ------------------------------------------------------------------------------------------
    // Devaluating

    /**
     * The expression for a stream or Fetch value, or null if {@code value} is none of them.
     * {@code nested} devaluates a body.
     */
    static JsonElement devaluate(Object value, Devaluator.Exporter exporter, List<Long> exports,
            Function<Object, JsonElement> nested) {
        if (value instanceof RpcHeaders) {
            return Devaluator.special("headers", pairs((RpcHeaders) value));
        }
        if (value instanceof RpcBlob) {
            RpcBlob blob = (RpcBlob) value;
            // Like the reference: always through a pipe, so that a large blob does not make one
            // huge message.
            byte[] bytes = blob.bytes();
            Flow.Publisher<Object> content = bytes.length == 0 ? RpcStreams.publisherOf() : RpcStreams.publisherOf(
                    (Object) bytes);
            return Devaluator.special("blob", new JsonPrimitive(blob.type()),
                    Devaluator.special("readable", new JsonPrimitive(pipe(exporter, content))));
        }
        if (value instanceof RpcRequest) {
            RpcRequest req = (RpcRequest) value;
            JsonObject init = new JsonObject();
            if (!req.method().equals("GET")) {
                init.addProperty("method", req.method());
            }
            if (!req.headers().isEmpty()) {
                init.add("headers", pairs(req.headers()));
            }
            if (req.body().isPresent()) {
                init.add("body", nested.apply(req.body().get()));
                init.addProperty("duplex", "half");
            }
            for (Map.Entry<String, Object> o : req.options().entrySet()) {
                init.add(o.getKey(), plainJson(o.getValue()));
            }
            return Devaluator.special("request", new JsonPrimitive(req.url()), init);
        }
        if (value instanceof RpcResponse) {
            RpcResponse resp = (RpcResponse) value;
            JsonElement body = nested.apply(resp.body().orElse(null));
            JsonObject init = new JsonObject();
            if (resp.status() != 200) {
                init.addProperty("status", resp.status());
            }
            if (!resp.statusText().isEmpty()) {
                init.addProperty("statusText", resp.statusText());
            }
            if (!resp.headers().isEmpty()) {
                init.add("headers", pairs(resp.headers()));
            }
            for (Map.Entry<String, Object> o : resp.options().entrySet()) {
                init.add(o.getKey(), plainJson(o.getValue()));
            }
            return Devaluator.special("response", body, init);
        }
        if (value instanceof Flow.Publisher) {
            return Devaluator.special("readable", new JsonPrimitive(pipe(exporter, (Flow.Publisher<?>) value)));
        }
        if (value instanceof Flow.Subscriber) {
            if (exporter == null) {
                throw Errors.error("Can't serialize WritableStream in this context.");
            }
            long id = exporter.exportWritable((Flow.Subscriber<?>) value);
            exports.add(id);
            return Devaluator.special("writable", new JsonPrimitive(id));
        }
        return null;
    }

    private static long pipe(Devaluator.Exporter exporter, Flow.Publisher<?> readable) {
        if (exporter == null) {
            throw Errors.error("Can't serialize ReadableStream in this context.");
        }
        return exporter.createPipe(readable);
    }

    private static JsonArray pairs(RpcHeaders headers) {
        JsonArray pairs = new JsonArray();
        for (Map.Entry<String, String> p : headers.pairs()) {
            JsonArray pair = new JsonArray(2);
            pair.add(p.getKey());
            pair.add(p.getValue());
            pairs.add(pair);
        }
        return pairs;
    }

    // ------------------------------------------------------------------------------------------
    // Evaluating

    static RpcHeaders headers(JsonElement pairs, String what) {
        if (!pairs.isJsonArray()) {
            throw Errors.type(what + " headers must be serialized as an array of pairs.");
        }
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (JsonElement p : pairs.getAsJsonArray()) {
            if (!p.isJsonArray() || p.getAsJsonArray().size() != 2 || !Evaluator.isString(p.getAsJsonArray().get(0))
                    || !Evaluator.isString(p.getAsJsonArray().get(1))) {
                throw Errors.type("Failed to construct 'Headers': each header must be a [name, value] pair of "
                        + "strings, got " + Json.write(p));
            }
            list.add(Map.entry(p.getAsJsonArray().get(0).getAsString(), p.getAsJsonArray().get(1).getAsString()));
        }
        return RpcHeaders.ofPairs(list);
    }

    static Object checkBody(Object body, String what) {
        if (body == null || body instanceof String || body instanceof byte[] || body instanceof RpcReadableStream) {
            return body;
        }
        throw Errors.type(what + " body must be of type ReadableStream.");
    }

    /** ["request", url, init]; {@code evalBody} evaluates the body expression. */
    static RpcRequest request(String url, JsonObject init, Function<JsonElement, Object> evalBody) {
        RpcRequest req = RpcRequest.of(init.has("method") && Evaluator.isString(init.get("method"))
                ? init.get("method").getAsString() : "GET", url);
        for (Map.Entry<String, JsonElement> e : init.entrySet()) {
            switch (e.getKey()) {
                case "method":
                    break;
                case "duplex":
                    // Implied by a body; sent again whenever there is one.
                    break;
                case "body":
                    req = req.withBody(checkBody(evalBody.apply(e.getValue()), "Request"));
                    break;
                case "headers":
                    req = req.withHeaders(headers(e.getValue(), "Request"));
                    break;
                case "signal":
                    throw Errors.type("Request signal (an AbortSignal) is not supported.");
                default:
                    req = req.withOption(e.getKey(), plain(e.getValue()));
            }
        }
        return req;
    }

    /** ["response", body, init], the body already evaluated. */
    static RpcResponse response(Object body, JsonObject init) {
        checkBody(body, "Response");
        int status = 200;
        String statusText = "";
        RpcHeaders headers = RpcHeaders.of();
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : init.entrySet()) {
            switch (e.getKey()) {
                case "status":
                    if (!Evaluator.isNumber(e.getValue())) {
                        throw Errors.type("Response status must be a number.");
                    }
                    double d = e.getValue().getAsDouble();
                    if (d != Math.rint(d) || d < 200 || d > 599) {
                        throw Errors.range("Failed to construct 'Response': The status provided ("
                                + Json.number(d) + ") is outside the range [200, 599].");
                    }
                    status = (int) d;
                    break;
                case "statusText":
                    statusText = e.getValue().isJsonNull() ? "" : e.getValue().getAsString();
                    break;
                case "headers":
                    headers = headers(e.getValue(), "Request");
                    break;
                case "webSocket":
                    throw Errors.type("Can't deserialize a Response containing a webSocket.");
                default:
                    options.put(e.getKey(), plain(e.getValue()));
            }
        }
        RpcResponse resp = RpcResponse.of(status, headers, body).withStatusText(statusText);
        for (Map.Entry<String, Object> o : options.entrySet()) {
            resp = resp.withOption(o.getKey(), o.getValue());
        }
        return resp;
    }

    /** Init options are plain JSON, not expressions: no escaping of arrays. */
    private static JsonElement plainJson(Object v) {
        if (v == null) {
            return com.google.gson.JsonNull.INSTANCE;
        }
        if (v instanceof String) {
            return new JsonPrimitive((String) v);
        }
        if (v instanceof Boolean) {
            return new JsonPrimitive((Boolean) v);
        }
        if (v instanceof Number) {
            return Devaluator.number((Number) v);
        }
        if (v instanceof List) {
            JsonArray a = new JsonArray();
            for (Object o : (List<?>) v) {
                a.add(plainJson(o));
            }
            return a;
        }
        if (v instanceof Map) {
            JsonObject o = new JsonObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                o.add(String.valueOf(e.getKey()), plainJson(e.getValue()));
            }
            return o;
        }
        throw Errors.type("Cannot serialize a Request or Response option: " + Payload.describe(v)
                + "; options must be plain JSON values.");
    }

    /** A plain JSON value as Java values, without evaluating expressions (RequestInit options). */
    static Object plain(JsonElement e) {
        if (e.isJsonNull()) {
            return null;
        }
        if (e.isJsonArray()) {
            List<Object> out = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                out.add(plain(x));
            }
            return out;
        }
        if (e.isJsonObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
                out.put(x.getKey(), plain(x.getValue()));
            }
            return out;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() ? p.getAsString() : p.isBoolean() ? (Object) p.getAsBoolean() : Evaluator.number(p.getAsDouble());
    }
}
