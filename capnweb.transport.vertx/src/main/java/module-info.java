/**
 * Cap'n Web over Vert.x core 5: WebSocket and HTTP batch, client and server, plus handlers to
 * mount Cap'n Web into a Vert.x HTTP server an application already runs.
 */
module capnweb.transport.vertx {
    // Transitive: the exported handlers take Cap'n Web options and are Vert.x handlers.
    requires transitive capnweb.api;
    requires transitive io.vertx.core;
    // Netty's WebSocket frame errors carry the close code to answer with (1009 for oversize).
    // Vert.x needs no Jackson for HTTP and WebSocket, so none is required here.
    requires io.netty.codec.http;
    // Why Netty could not parse a request (DecoderResult), to answer it in a sentence.
    requires io.netty.codec;
    // Dropping the connection of an aborted peer that does not read closes its Netty channel.
    requires io.netty.transport;
    // Why a proxy refused a client's connection (ProxyConnectException), to say it in a sentence.
    requires io.netty.handler.proxy;
    // Whether a write runs on the connection's event loop, which may flush in a burst's midst.
    requires io.netty.common;

    // The embeddable handlers and the provider class.
    exports capnweb.transport.vertx;

    provides capnweb.api.spi.TransportProvider with capnweb.transport.vertx.VertxTransportProvider;
}
