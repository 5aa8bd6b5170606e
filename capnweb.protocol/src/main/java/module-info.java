/**
 * The Cap'n Web protocol engine: wire codec, import/export tables, pipelining, remap and HTTP
 * batch sessions, found by {@code capnweb.api} through {@link java.util.ServiceLoader}.
 */
module capnweb.protocol {
    // The API it implements, and Gson's tree model and streaming reader/writer (no reflection
    // binding, so nothing is opened to Gson).
    requires capnweb.api;
    requires com.google.gson;

    // Exports nothing: users reach the engine only through capnweb.api.
    provides capnweb.api.spi.RpcEngine with capnweb.protocol.CapnWebEngine;
}
