package demo;

import capnweb.api.*;

public class JettyServer {
    public static void main(String[] args) throws Exception {
        RpcServer server = CapnWeb.serve(ServerOptions.builder(StdioServer.TestTarget::new).build());
        System.out.println("READY " + server.uri());
        Thread.currentThread().join();
    }
}
