package capnweb.bench;

import capnweb.api.RpcServer;
import capnweb.api.ServerOptions;
import capnweb.api.spi.ProviderRegistry;
import capnweb.api.spi.TransportProvider;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A Java server for the benchmarks: {@code BenchServer PORT jetty|vertx rpc|raw}. {@code rpc}
 * serves {@link BenchTarget} (the interop test server serves the full TestTarget; this one stands
 * in where the interop module is not built); {@code raw} echoes every WebSocket message without
 * RPC. Prints {@code READY http://127.0.0.1:PORT} once it accepts connections; runs until killed.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 || !(args[2].equals("rpc") || args[2].equals("raw"))) {
            System.err.println("Usage: BenchServer PORT jetty|vertx rpc|raw");
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
            server = transport.serve(ServerOptions.builder(BenchTarget::new).port(port)
                    .transport(transportName).build(), registry.engine());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("READY " + server.uri().toString().replaceFirst("/rpc$", ""));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
