/**
 * Cap'n Web over Jetty 12: WebSocket and HTTP batch endpoints, client and server, plus a
 * {@code Handler} to mount Cap'n Web into a Jetty server that is already running.
 */
module capnweb.transport.jetty {
    // The API this transport implements; the engine arrives through ServiceLoader.
    requires transitive capnweb.api;

    // Jetty 12 core (no servlets): server, client, and the Jetty WebSocket API on both sides.
    // "transitive" where exported classes show Jetty types: CapnWebHandler is a Jetty Handler,
    // and WebSocketTransport a Jetty WebSocket listener (Jetty reaches listeners only through a
    // public lookup, so that class must be public in an exported package).
    requires transitive org.eclipse.jetty.server;
    requires transitive org.eclipse.jetty.websocket.api;
    requires org.eclipse.jetty.client;
    requires org.eclipse.jetty.websocket.server;
    requires org.eclipse.jetty.websocket.client;
    // Text frames are read as bytes; invalid UTF-8 is refused with Jetty's own BadPayloadException.
    requires org.eclipse.jetty.websocket.core.common;
    requires org.eclipse.jetty.websocket.common;

    // CapnWebHandler, for users who mount Cap'n Web into their own Jetty server.
    exports capnweb.transport.jetty;

    provides capnweb.api.spi.TransportProvider with capnweb.transport.jetty.JettyTransportProvider;
}
