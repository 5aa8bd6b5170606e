/**
 * Cap'n Web over Jetty 12. Users normally reach this transport through {@code capnweb.api.CapnWeb},
 * which finds {@link capnweb.transport.jetty.JettyTransportProvider} with ServiceLoader; to mount
 * Cap'n Web into a Jetty server you already run, use {@link capnweb.transport.jetty.CapnWebHandler}.
 */
package capnweb.transport.jetty;
