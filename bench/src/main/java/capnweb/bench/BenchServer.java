package capnweb.bench;

import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A Java server for the benchmarks: {@code BenchServer PORT jetty|vertx rpc|rpc-direct|raw}.
 * {@code rpc} serves {@link BenchTarget} (the interop test server serves the full TestTarget; this
 * one stands in where the interop module is not built); {@code rpc-direct} does the same with
 * {@code SessionOptions.directExecutor()} (what the README offers for targets that never block),
 * so sessions run on the thread that hands them work, the Vert.x event loop included; {@code raw} echoes every WebSocket message without RPC. Prints {@code READY http://127.0.0.1:PORT} once it accepts connections; runs until killed.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 || !java.util.List.of("rpc", "rpc-direct", "raw").contains(args[2])) {
            System.err.println("Usage: BenchServer PORT jetty|vertx rpc|rpc-direct|raw");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String transportName = args[1];
        ProviderRegistry registry = ProviderRegistry.load();
        TransportProvider transport = registry.transport(Optional.of(transportName));
        RpcServer server;
        if (args[2].equals("raw")) {
            server = transport.serve(RawEcho.serverOptions(port, transportName), new RawEcho.EchoEngine());
        } else {
            SessionOptions.Builder session = SessionOptions.builder();
            if (args[2].equals("rpc-direct")) {
                // Each session runs on whichever thread hands it work (for arriving messages, the
                // transport's), with no hand-off to the engine's pool.
                session.directExecutor();
            }
            server = transport.serve(ServerOptions.builder(BenchTarget::new).port(port)
                    .sessionOptions(session.build()).transport(transportName).build(), registry.engine());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("READY " + server.uri().toString().replaceFirst("/rpc$", ""));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
