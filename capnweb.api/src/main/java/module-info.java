/**
 * The public API of Cap'n Web for Java: stubs, promises, sessions, and the service interfaces
 * through which the protocol engine and the transports are found at run time.
 */
module capnweb.api {
    // What users and provider authors compile against.
    exports capnweb.api;
    exports capnweb.api.spi;

    // Found with ServiceLoader, so a user requires this module only and adds the engine and a
    // transport as jars on the module path.
    uses capnweb.api.spi.RpcEngine;
    uses capnweb.api.spi.TransportProvider;
}
