package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CallInterceptor;
import capnweb.api.CapnWeb;
import capnweb.api.RpcException;
import capnweb.api.RpcServer;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRefusedException;
import capnweb.api.SessionRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reference client against a Java server whose main object factory authenticates each
 * session by its {@code Authorization} header (ServerOptions.builderWithRequest, and
 * builderWithRequestAsync): with a token it
 * gets a session for its user, over WebSocket and HTTP batch, on both transports; without one its
 * session is refused with 401 before it starts. And the same check made for each call by a
 * CallInterceptor, which reads the request of the call's session.
 */
class SessionRequestInteropTest {
    private static final List<String> TRANSPORTS = List.of("jetty", "vertx");

    /** The main object of a signed-in session. */
    public static final class SignedIn implements RpcTarget {
        private final String user;

        SignedIn(String user) {
            this.user = user;
        }

        public String whoami() {
            return user;
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theReferenceClientIsSignedInByItsHeaderAndRefusedWithout() {
        for (String transport : TRANSPORTS) {
            check(transport, ServerOptions.builderWithRequest(SessionRequestInteropTest::signIn));
            // The same check answered later, from another thread, as a token service would.
            check(transport + " async", ServerOptions.builderWithRequestAsync(request -> CompletableFuture.supplyAsync(
                    () -> signIn(request), CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))));
        }
    }

    /** The main object of a server that checks each call, not each session. */
    public static final class Anyone implements RpcTarget {
        public String whoami() {
            return "someone";
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anInterceptorChecksEachCallOfTheReferenceClientByItsSessionsRequest() {
        String signIn = "Sign in first: send a bearer token with each session.";
        CallInterceptor signedInOnly = call -> {
            SessionRequest request = call.session().request().orElseThrow();
            String token = request.header("Authorization").orElseThrow(() -> RpcException.of("Error", signIn));
            return call.proceed().thenApply(result -> result + " is " + token.replaceFirst("^Bearer ", "")
                    + " over " + (request.isWebSocket() ? "ws" : "http"));
        };
        for (String transport : TRANSPORTS) {
            RpcServer server = CapnWeb.serve(ServerOptions.builder(Anyone::new)
                    .sessionOptions(SessionOptions.builder().interceptor(signedInOnly).build())
                    .host("127.0.0.1").port(0).transport(transport).build());
            try {
                for (String scheme : List.of("ws", "http")) {
                    String url = scheme + "://127.0.0.1:" + server.port() + "/rpc";
                    assertThat(run(url, "alice")).as(transport + " " + url)
                            .isEqualTo("{\"result\":\"someone is alice over " + scheme + "\"}");
                    assertThat(run(url)).as(transport + " " + url).isEqualTo("{\"error\":\"" + signIn + "\"}");
                }
            } finally {
                server.close(Duration.ofSeconds(10));
            }
        }
    }

    private static SignedIn signIn(SessionRequest request) {
        String token = request.header("Authorization").orElseThrow(() -> new SessionRefusedException(401,
                "Sign in first: send a bearer token.", Map.of("WWW-Authenticate", "Bearer")));
        return new SignedIn(token.replaceFirst("^Bearer ", "") + " over " + (request.isWebSocket() ? "ws" : "http"));
    }

    private static void check(String name, ServerOptions.Builder options) {
        String transport = name.split(" ")[0];
        RpcServer server = CapnWeb.serve(options.host("127.0.0.1").port(0).transport(transport).build());
        try {
            for (String scheme : List.of("ws", "http")) {
                String url = scheme + "://127.0.0.1:" + server.port() + "/rpc";
                assertThat(run(url, "alice")).as(name + " " + url)
                        .isEqualTo("{\"result\":\"alice over " + scheme + "\"}");
                String refused = run(url);
                assertThat(refused).as(name + " " + url).startsWith("{\"error\":");
                if (scheme.equals("http")) {
                    assertThat(refused).as(name).contains("401");
                }
            }
        } finally {
            server.close(Duration.ofSeconds(10));
        }
    }

    private static String run(String... args) {
        Node.Result result = Node.run(Duration.ofSeconds(30), "signed-in.mjs", args);
        assertThat(result.lines()).as("stderr: %s", result.stderr()).hasSize(1);
        return result.lines().get(0);
    }
}
