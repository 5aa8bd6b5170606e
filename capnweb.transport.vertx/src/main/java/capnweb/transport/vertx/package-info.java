/**
 * Cap'n Web over Vert.x core. Users normally need nothing from here: with this module on the
 * module path, {@link capnweb.api.CapnWeb#serve} and {@link capnweb.api.CapnWeb#connect} find
 * {@link capnweb.transport.vertx.VertxTransportProvider}. {@link capnweb.transport.vertx.CapnWebVertx}
 * and {@link capnweb.transport.vertx.CapnWebHandler} mount Cap'n Web into a Vert.x application
 * that already runs its own {@code Vertx} and HTTP server.
 */
package capnweb.transport.vertx;
