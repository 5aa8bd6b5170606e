package capnweb.transport.testkit;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback proxy for client tests: an HTTP proxy (a {@code CONNECT} tunnel, or a plain request
 * in absolute form, which it sends on to its server with the rest of the connection) or a SOCKS5
 * proxy, which may ask for a user name and password (HTTP Basic with {@code 407}, or RFC 1929).
 * It records what each connection asked for, so that a test can tell that a client came through
 * it and how. A plain request's connection is relayed as it is once opened: it serves one server
 * only, enough for tests. One daemon thread accepts, two pump each connection.
 */
public final class ForwardProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final boolean socks;
    private final String username;
    private final String password;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private ForwardProxy(boolean socks, String username, String password) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.socks = socks;
        this.username = username;
        this.password = password;
        Thread acceptor = new Thread(this::accept, "forward-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * @return a running HTTP proxy that asks for no credentials
     * @throws IOException if it cannot listen
     */
    public static ForwardProxy http() throws IOException {
        return new ForwardProxy(false, null, null);
    }

    /**
     * @param username the user name it asks for
     * @param password the password it asks for
     * @return a running HTTP proxy that answers {@code 407} to a request without these
     * @throws IOException if it cannot listen
     */
    public static ForwardProxy http(String username, String password) throws IOException {
        return new ForwardProxy(false, username, password);
    }

    /**
     * @return a running SOCKS5 proxy that asks for no credentials
     * @throws IOException if it cannot listen
     */
    public static ForwardProxy socks5() throws IOException {
        return new ForwardProxy(true, null, null);
    }

    /**
     * @param username the user name it asks for
     * @param password the password it asks for
     * @return a running SOCKS5 proxy that takes only these
     * @throws IOException if it cannot listen
     */
    public static ForwardProxy socks5(String username, String password) throws IOException {
        return new ForwardProxy(true, username, password);
    }

    /** @return this proxy as the JDK names it */
    public Proxy proxy() {
        return new Proxy(socks ? Proxy.Type.SOCKS : Proxy.Type.HTTP,
                new InetSocketAddress("127.0.0.1", listener.getLocalPort()));
    }

    /** @return the port clients connect to */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * @return what each connection asked for, in order: {@code "CONNECT host:port"},
     *     {@code "POST http://host:port/path"} (a plain request), {@code "SOCKS5 host:port"}, or
     *     the same followed by {@code " refused"} when its credentials were missing or wrong
     */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), "forward-proxy-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket client) {
        try {
            if (socks) {
                serveSocks(client);
            } else {
                serveHttp(client);
            }
        } catch (IOException e) {
            Relay.close(client);
        }
    }

    private void serveHttp(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        while (true) {
            // The connection's end within a head ends this with an IOException (see serve).
            List<String> head = List.of(RawServer.readHead(in).strip().split("\r\n"));
            String[] line = head.get(0).split(" ");
            boolean tunnel = line[0].equalsIgnoreCase("CONNECT");
            String asked = line[0] + " " + line[1];
            if (username != null && !authorized(head)) {
                requests.add(asked + " refused");
                byte[] refusal = ("HTTP/1.1 407 Proxy Authentication Required\r\n"
                        + "Proxy-Authenticate: Basic realm=\"forward-proxy\"\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: 19\r\n\r\n"
                        + "Credentials needed.").getBytes(StandardCharsets.US_ASCII);
                out.write(refusal);
                out.flush();
                continue; // the client may ask again on this connection
            }
            requests.add(asked);
            Socket server = new Socket();
            sockets.add(server);
            if (tunnel) {
                int colon = line[1].lastIndexOf(':');
                server.connect(new InetSocketAddress(unbracketed(line[1].substring(0, colon)),
                        Integer.parseInt(line[1].substring(colon + 1))), 5_000);
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } else {
                URI target = URI.create(line[1]);
                server.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
                // The request's line in origin form, without what was meant for the proxy alone.
                StringBuilder forwarded = new StringBuilder(line[0]).append(' ').append(target.getRawPath())
                        .append(target.getRawQuery() == null ? "" : "?" + target.getRawQuery()).append(' ')
                        .append(line[2]).append("\r\n");
                for (String header : head.subList(1, head.size())) {
                    if (!header.toLowerCase(Locale.ROOT).startsWith("proxy-")) {
                        forwarded.append(header).append("\r\n");
                    }
                }
                forwarded.append("\r\n");
                server.getOutputStream().write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
            }
            Relay.between(client, server, "forward-proxy-pump");
            return;
        }
    }

    private boolean authorized(List<String> head) {
        String expected = "basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        for (String header : head.subList(1, head.size())) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("Proxy-Authorization")
                    && header.substring(colon + 1).trim().equalsIgnoreCase(expected)) {
                return true;
            }
        }
        return false;
    }

    private void serveSocks(Socket client) throws IOException {
        DataInputStream in = new DataInputStream(client.getInputStream());
        OutputStream out = client.getOutputStream();
        if (in.readUnsignedByte() != 5) {
            Relay.close(client);
            return;
        }
        byte[] methods = new byte[in.readUnsignedByte()];
        in.readFully(methods);
        int wanted = username == null ? 0x00 : 0x02;
        boolean offered = false;
        for (byte m : methods) {
            offered |= m == wanted;
        }
        if (!offered) {
            out.write(new byte[] {5, (byte) 0xFF});
            out.flush();
            requests.add("SOCKS5 refused");
            Relay.close(client);
            return;
        }
        out.write(new byte[] {5, (byte) wanted});
        out.flush();
        boolean authorized = true;
        if (username != null) {
            in.readUnsignedByte(); // the sub-negotiation's version
            byte[] user = new byte[in.readUnsignedByte()];
            in.readFully(user);
            byte[] pass = new byte[in.readUnsignedByte()];
            in.readFully(pass);
            authorized = username.equals(new String(user, StandardCharsets.UTF_8))
                    && password.equals(new String(pass, StandardCharsets.UTF_8));
            out.write(new byte[] {1, (byte) (authorized ? 0 : 1)});
            out.flush();
        }
        if (!authorized) {
            requests.add("SOCKS5 refused");
            Relay.close(client);
            return;
        }
        in.readUnsignedByte(); // version
        int command = in.readUnsignedByte();
        in.readUnsignedByte(); // reserved
        String host;
        int type = in.readUnsignedByte();
        if (type == 1 || type == 4) {
            byte[] address = new byte[type == 1 ? 4 : 16];
            in.readFully(address);
            host = InetAddress.getByAddress(address).getHostAddress();
        } else {
            byte[] name = new byte[in.readUnsignedByte()];
            in.readFully(name);
            host = new String(name, StandardCharsets.US_ASCII);
        }
        int port = in.readUnsignedShort();
        requests.add("SOCKS5 " + host + ":" + port);
        if (command != 1) {
            out.write(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0}); // command not supported
            out.flush();
            Relay.close(client);
            return;
        }
        Socket server = new Socket();
        sockets.add(server);
        server.connect(new InetSocketAddress(host, port), 5_000);
        out.write(new byte[] {5, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        out.flush();
        Relay.between(client, server, "forward-proxy-pump");
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public void close() {
        closed = true;
        sockets.forEach(Relay::close);
        close(listener);
    }

    private static void close(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
