/**
 * The interop test server of capnweb-java: the TestTarget that the reference implementation's
 * client is run against, and its command-line launcher.
 */
module capnweb.interop {
    // The engine and a transport arrive on the module path and are found with ServiceLoader. The
    // API's types appear in TestTarget's public methods, so its readers read the API too.
    requires transitive capnweb.api;

    // The interop tests, patched into this module, drive raw WebSocket and HTTP traffic with the
    // JDK's client.
    requires java.net.http;

    // JdkBatchServer serves HTTP batches on the JDK's own HTTP server through CapnWeb.serveBatch.
    requires jdk.httpserver;

    exports capnweb.interop;
}
