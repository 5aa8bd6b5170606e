package capnweb.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.transport.testkit.RawHttp;
import capnweb.transport.testkit.RawWebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CapnWebHandler mounted into a Jetty server that the application runs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CapnWebHandlerTest {
    private final FakeEngine engine = new FakeEngine();
    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void servesItsPathAndLeavesOtherPathsToTheNextHandler() throws Exception {
        CapnWebHandler rpc = CapnWebHandler.builder(Object::new).engine(engine).path("/api/rpc")
                .maxMessageSize(50).batchResponseHeader("X-Batch", "yes").build();
        Handler.Abstract app = new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                    org.eclipse.jetty.util.Callback callback) {
                response.setStatus(200);
                Content.Sink.write(response, true, "app", callback);
                return true;
            }
        };
        server = LoopbackServer.start(new Handler.Sequence(rpc, app));
        String base = "127.0.0.1:" + LoopbackServer.port(server);

        RawHttp.Response batch = RawHttp.post(URI.create("http://" + base + "/api/rpc"), "hi");
        assertThat(batch.status()).isEqualTo(200);
        assertThat(batch.body()).isEqualTo("echo:hi");
        assertThat(batch.header("X-Batch")).hasValue("yes");
        assertThat(RawHttp.post(URI.create("http://" + base + "/api/rpc"), "x".repeat(51)).status()).isEqualTo(413);
        assertThat(RawHttp.request("GET", URI.create("http://" + base + "/elsewhere")).body()).isEqualTo("app");

        try (RawWebSocket ws = RawWebSocket.open(URI.create("ws://" + base + "/api/rpc"))) {
            ws.send("ping");
            assertThat(ws.nextText(Duration.ofSeconds(10))).isEqualTo("echo:ping");
            assertThat(rpc.openSessions()).isEqualTo(1);
            assertThat(rpc.closeSessions(Duration.ofSeconds(10))).isTrue();
            assertThat(ws.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1001);
        }
        assertThat(rpc.openSessions()).isZero();
        assertThat(rpc.path()).hasValue("/api/rpc");
    }

    @Test
    void withDirectSessionsJettyMayRunTheHandlerOnTheThreadThatReadTheRequest() throws Exception {
        assertThat(CapnWebHandler.builder(Object::new).engine(engine).build().getInvocationType())
                .isEqualTo(org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING);
        CapnWebHandler rpc = CapnWebHandler.builder(Object::new).engine(engine)
                .sessionOptions(capnweb.api.SessionOptions.builder().directExecutor().build()).build();
        assertThat(rpc.getInvocationType()).isEqualTo(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING);
        server = LoopbackServer.start(rpc);
        URI uri = URI.create("http://127.0.0.1:" + LoopbackServer.port(server) + "/");
        for (int i = 0; i < 3; i++) {
            RawHttp.Response batch = RawHttp.post(uri, "b" + i);
            assertThat(batch.status()).isEqualTo(200);
            assertThat(batch.body()).isEqualTo("echo:b" + i);
        }
        try (RawWebSocket ws = RawWebSocket.open(URI.create("ws://127.0.0.1:" + LoopbackServer.port(server) + "/"))) {
            ws.send("ping");
            assertThat(ws.nextText(Duration.ofSeconds(10))).isEqualTo("echo:ping");
        }
    }

    @Test
    void clientSendsTheConfiguredHeadersOnUpgradeAndBatch() throws Exception {
        CapnWebHandler rpc = CapnWebHandler.builder(Object::new).engine(engine).build();
        java.util.Queue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Handler.Wrapper recorder = new Handler.Wrapper(rpc) {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                    org.eclipse.jetty.util.Callback callback) throws Exception {
                seen.add(request.getMethod() + " " + request.getHeaders().get("X-Token"));
                return super.handle(request, response, callback);
            }
        };
        server = LoopbackServer.start(recorder);
        String base = "127.0.0.1:" + LoopbackServer.port(server) + "/anything";
        capnweb.api.ClientOptions options = capnweb.api.ClientOptions.builder().header("X-Token", "t1").build();
        JettyTransportProvider provider = new JettyTransportProvider();

        provider.connect(URI.create("ws://" + base), options, engine).toCompletableFuture().get(10, TimeUnit.SECONDS);
        provider.connect(URI.create("http://" + base), options, engine).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(engine.lastPoster.post("x").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("echo:x");

        assertThat(seen).containsExactly("GET t1", "POST t1");
    }
}
