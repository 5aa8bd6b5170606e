package capnweb.transport.jetty;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A Jetty server of the application's own, on a free loopback port, that a test mounts a handler into. */
final class LoopbackServer {
    private LoopbackServer() {
    }

    /** @return the started server; stop it when done */
    static Server start(Handler handler) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        return server;
    }

    /** @return the port {@code server}, made by {@link #start}, listens on */
    static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
