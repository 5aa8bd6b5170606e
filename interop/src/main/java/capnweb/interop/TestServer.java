package capnweb.interop;

import capnweb.api.CapnWeb;
import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * Serves {@link TestTarget} on 127.0.0.1 through a named transport, for the reference client and
 * the benchmarks: {@code TestServer PORT TRANSPORT}. Prints {@code READY http://127.0.0.1:PORT}
 * once it accepts connections and runs until the process is terminated.
 */
public final class TestServer {
    private TestServer() {
    }

    /**
     * Starts the server.
     *
     * @param args the port (0 picks a free one) and the transport name ({@code jetty} or
     *     {@code vertx})
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("Usage: TestServer PORT TRANSPORT, e.g. TestServer 8080 jetty.");
            System.exit(2);
        }
        int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            System.err.println("The port must be a number between 0 and 65535, got '" + args[0] + "'.");
            System.exit(2);
            return;
        }
        RpcServer server = start(port, args[1]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(Duration.ofSeconds(5));
            stopped.countDown();
        }, "test-server-shutdown"));
        System.out.println("READY http://127.0.0.1:" + server.port());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts serving {@link TestTarget} on 127.0.0.1, path {@code /rpc}.
     *
     * @param port the port, 0 for a free one
     * @param transport the transport name
     * @return the running server
     */
    public static RpcServer start(int port, String transport) {
        return start(port, transport, b -> b);
    }

    /**
     * Starts serving {@link TestTarget} on 127.0.0.1, path {@code /rpc}, with more settings.
     *
     * @param port the port, 0 for a free one
     * @param transport the transport name
     * @param settings adds to the options, e.g. TLS keys
     * @return the running server
     */
    public static RpcServer start(int port, String transport, UnaryOperator<ServerOptions.Builder> settings) {
        return CapnWeb.serve(settings.apply(ServerOptions.builder(TestTarget::new)
                .host("127.0.0.1")
                .port(port)
                .transport(transport))
                .build());
    }
}
