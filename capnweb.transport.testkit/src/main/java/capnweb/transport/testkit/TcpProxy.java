package capnweb.transport.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay between a client and a server, which the test can cut at any moment: both
 * sides then see the connection reset, with no WebSocket close frame, as when a network path
 * dies. One daemon thread accepts, two pump each connection.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    private TcpProxy(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
    }

    /**
     * Starts relaying a new port on 127.0.0.1 to {@code port} on 127.0.0.1.
     *
     * @param port the server's port
     * @return the running proxy
     * @throws IOException if it cannot listen
     */
    public static TcpProxy to(int port) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TcpProxy proxy = new TcpProxy(listener, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread acceptor = new Thread(proxy::accept, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return proxy;
    }

    /** @return the port clients connect to */
    public int port() {
        return listener.getLocalPort();
    }

    /** @return how many connections clients have opened through this proxy */
    public int connectionsAccepted() {
        return accepted.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket();
                server.connect(target, 5_000);
                sockets.add(client);
                sockets.add(server);
                Relay.between(client, server, "tcp-proxy-pump");
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** Resets every relayed connection at once; new connections are still accepted. */
    public void cut() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
