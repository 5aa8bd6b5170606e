package capnweb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void sessionDefaultsAreTheReferenceLimits() {
        SessionOptions o = SessionOptions.defaults();
        assertThat(o.maxMessageSize()).isEqualTo(32 * 1024 * 1024);
        assertThat(o.maxDepth()).isEqualTo(256);
        assertThat(o.maxBigIntDigits()).isEqualTo(16384);
        assertThat(o.maxExports()).isEqualTo(100_000);
        assertThat(o.maxImports()).isEqualTo(100_000);
        assertThat(o.maxCallsInFlight()).isEqualTo(10_000);
        assertThat(o.maxQueuedBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(o.executor()).isEmpty();
        assertThat(o.directExecutor()).isFalse();
        assertThat(o.defaultTimeout()).isEmpty();
        assertThat(o.onSendError().apply(new RuntimeException("x"))).isEmpty();
    }

    @Test
    void sessionLimitsMustBePositive() {
        assertThatThrownBy(() -> SessionOptions.builder().maxDepth(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDepth");
        assertThatThrownBy(() -> SessionOptions.builder().maxExports(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxExports");
        assertThatThrownBy(() -> SessionOptions.builder().maxImports(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxImports");
        assertThatThrownBy(() -> SessionOptions.builder().maxCallsInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCallsInFlight");
        assertThatThrownBy(() -> SessionOptions.builder().maxQueuedBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueuedBytes");
        assertThatThrownBy(() -> SessionOptions.builder().defaultTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
    }

    @Test
    void toBuilderKeepsEverySetting() {
        SessionOptions o = SessionOptions.builder().maxMessageSize(10).maxDepth(3).maxBigIntDigits(4)
                .maxExports(5).maxImports(6).maxCallsInFlight(7).maxQueuedBytes(8)
                .defaultTimeout(Duration.ofSeconds(2)).executor(Runnable::run).build();
        SessionOptions copy = o.toBuilder().build();
        assertThat(copy.maxMessageSize()).isEqualTo(10);
        assertThat(copy.maxDepth()).isEqualTo(3);
        assertThat(copy.maxBigIntDigits()).isEqualTo(4);
        assertThat(copy.maxExports()).isEqualTo(5);
        assertThat(copy.maxImports()).isEqualTo(6);
        assertThat(copy.maxCallsInFlight()).isEqualTo(7);
        assertThat(copy.maxQueuedBytes()).isEqualTo(8);
        assertThat(copy.defaultTimeout()).contains(Duration.ofSeconds(2));
        assertThat(copy.executor()).isPresent();
    }

    @Test
    void interceptorsKeepTheirOrderAndACopyAddsToItsOwnList() {
        CallInterceptor a = CallInterceptor.Call::proceed;
        CallInterceptor b = CallInterceptor.Call::proceed;
        SessionOptions o = SessionOptions.builder().interceptor(a).interceptor(b).build();
        assertThat(o.interceptors()).containsExactly(a, b);
        assertThat(o.toBuilder().interceptor(a).build().interceptors()).containsExactly(a, b, a);
        assertThat(o.interceptors()).containsExactly(a, b);
        assertThat(SessionOptions.defaults().interceptors()).isEmpty();
        assertThatThrownBy(() -> o.interceptors().add(a)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> SessionOptions.builder().interceptor(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void directExecutorAndAnExecutorReplaceEachOther() {
        SessionOptions direct = SessionOptions.builder().directExecutor().build();
        assertThat(direct.directExecutor()).isTrue();
        assertThat(direct.toBuilder().build().directExecutor()).isTrue();
        StringBuilder ran = new StringBuilder();
        direct.executor().orElseThrow().execute(() -> ran.append(Thread.currentThread().getName()));
        assertThat(ran.toString()).isEqualTo(Thread.currentThread().getName());
        SessionOptions pooled = direct.toBuilder().executor(Runnable::run).build();
        assertThat(pooled.directExecutor()).isFalse();
        assertThat(SessionOptions.builder().executor(Runnable::run).directExecutor().build().directExecutor()).isTrue();
    }

    @Test
    void serverMessageLimitDefaultsToTheSessionLimit() {
        ServerOptions o = ServerOptions.builder(Object::new)
                .sessionOptions(SessionOptions.builder().maxMessageSize(1234).build()).build();
        assertThat(o.maxMessageSize()).isEqualTo(1234);
        assertThat(o.path()).isEqualTo("/rpc");
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(ServerOptions.builder(Object::new).maxMessageSize(99).build().maxMessageSize()).isEqualTo(99);
    }

    @Test
    void serverSessionLimitIsUnboundedUnlessSetAndMustBePositive() {
        assertThat(ServerOptions.builder(Object::new).build().maxSessions()).isEqualTo(Integer.MAX_VALUE);
        assertThat(ServerOptions.builder(Object::new).maxSessions(3).build().maxSessions()).isEqualTo(3);
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).maxSessions(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSessions must be positive, got 0");
    }

    @Test
    void anAsynchronousFactoryIsTimedAfter30SecondsUnlessSet() {
        assertThat(ServerOptions.builder(Object::new).build().factoryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ServerOptions.builderWithRequestAsync(r -> new java.util.concurrent.CompletableFuture<>())
                .factoryTimeout(Duration.ofMillis(5)).build().factoryTimeout()).isEqualTo(Duration.ofMillis(5));
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).factoryTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factoryTimeout must be positive");
    }

    @Test
    void serverConnectionLimitIsUnboundedUnlessSetAndMustBePositive() {
        assertThat(ServerOptions.builder(Object::new).build().maxConnections()).isEqualTo(Integer.MAX_VALUE);
        assertThat(ServerOptions.builder(Object::new).maxConnections(5).build().maxConnections()).isEqualTo(5);
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).maxConnections(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections must be positive, got -1");
    }

    @Test
    void tlsIsOffUnlessSetAndKeyStoresWithoutWhatItNeedsAreRefused() throws Exception {
        assertThat(ServerOptions.builder(Object::new).build().tlsKeys()).isEmpty();
        assertThat(ClientOptions.defaults().tlsTrust()).isEmpty();
        java.security.KeyStore empty = java.security.KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).tls(empty, new char[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no private key");
        java.security.KeyStore unloaded = java.security.KeyStore.getInstance("PKCS12");
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).tls(unloaded, new char[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Load it");
        assertThatThrownBy(() -> ClientOptions.builder().tlsTrust(unloaded))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Load it");
        assertThatThrownBy(() -> ClientOptions.builder().tlsTrust(empty))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no trusted certificate");
    }

    @Test
    void serverPingsEveryThirtySecondsUnlessToldOtherwise() {
        assertThat(ServerOptions.builder(Object::new).build().pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ServerOptions.builder(Object::new).pingInterval(Duration.ZERO).build().pingInterval()).isZero();
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).pingInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
    }

    @Test
    void clientKeepaliveIsOffUnlessSetAndNeedsATimeoutLongerThanItsInterval() {
        assertThat(ClientOptions.defaults().pingInterval()).isZero();
        ClientOptions on = ClientOptions.builder().keepalive(Duration.ofSeconds(20), Duration.ofMinutes(1)).build();
        assertThat(on.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(on.serverTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> ClientOptions.builder().keepalive(Duration.ofSeconds(20), Duration.ofSeconds(20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a longer timeout");
        assertThatThrownBy(() -> ClientOptions.builder().keepalive(Duration.ZERO, Duration.ofSeconds(20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a positive interval");
    }

    @Test
    void serverRejectsBadPortAndPath() {
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).port(70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).path("rpc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/'");
    }

    @Test
    void clientOptionsKeepHeadersInOrder() {
        ClientOptions o = ClientOptions.builder().header("a", "1").header("b", "2").transport("vertx").build();
        assertThat(o.headers()).containsEntry("a", "1").containsEntry("b", "2");
        assertThat(o.transport()).contains("vertx");
        assertThat(o.localMain()).isEmpty();
    }

    @Test
    void clientConnectTimeoutIsTenSecondsUnlessSetAndMustBePositive() {
        assertThat(ClientOptions.defaults().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ClientOptions.builder().connectTimeout(Duration.ofMillis(300)).build().connectTimeout())
                .isEqualTo(Duration.ofMillis(300));
        assertThatThrownBy(() -> ClientOptions.builder().connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ClientOptions.connectTimeout must be positive, got PT0S.");
        assertThatThrownBy(() -> ClientOptions.builder().connectTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headersAreOneLineOfTextUnderATokenNameTheTransportDoesNotWriteItself() {
        assertThatThrownBy(() -> ClientOptions.builder().header("X-Test", "a\r\nX-Injected: yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ClientOptions.header got a value for X-Test with a line break at index 1: a header value "
                        + "is one line of text.");
        assertThatThrownBy(() -> ClientOptions.builder().header("X-Test", "ok\u0000"))
                .hasMessageContaining("with a control character at index 2");
        assertThatThrownBy(() -> ClientOptions.builder().header("X-Test", "\u20ac5"))
                .hasMessageContaining("with a character beyond Latin-1 at index 0");
        assertThatThrownBy(() -> ClientOptions.builder().header("X Test", "v"))
                .hasMessage("ClientOptions.header got the header name \"X Test\", whose character at index 1 cannot be "
                        + "in one: a name is letters, digits and !#$%&'*+-.^_`|~ only.");
        assertThatThrownBy(() -> ClientOptions.builder().header("", "v")).hasMessageContaining("an empty one");
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).batchResponseHeader("Access-Control-Allow-Origin",
                "https://a.example\nSet-Cookie: x=1")).hasMessageStartingWith("ServerOptions.batchResponseHeader got a "
                        + "value for Access-Control-Allow-Origin with a line break at index 17");

        for (String own : List.of("Content-Length", "transfer-encoding", "Connection", "Upgrade", "Host", "Expect",
                "Sec-WebSocket-Key", "Sec-WebSocket-Protocol")) {
            assertThatThrownBy(() -> ClientOptions.builder().header(own, "5")).as(own)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ClientOptions.header cannot set " + own + ": the transport sets it for each request or "
                            + "answer. Its framing and connection headers, Host and the WebSocket handshake's headers "
                            + "are its own.");
        }
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).batchResponseHeader("Content-Length", "5"))
                .hasMessageStartingWith("ServerOptions.batchResponseHeader cannot set Content-Length");

        ClientOptions fine = ClientOptions.builder().header("Authorization", "Bearer abc.def\tcaf\u00e9").build();
        assertThat(fine.headers()).containsEntry("Authorization", "Bearer abc.def\tcaf\u00e9");
    }

    @Test
    void rpcExceptionCarriesTypeMessageAndProperties() {
        RpcException e = RpcException.of("RangeError", "too big", Map.of("limit", 3L));
        assertThat(e.type()).isEqualTo("RangeError");
        assertThat(e.getMessage()).isEqualTo("too big");
        assertThat(e.properties()).containsEntry("limit", 3L);
        assertThat(e.remoteStack()).isEmpty();
        assertThat(e).hasToString("RangeError: too big");
        RpcException r = RpcException.received("Error", "m", Map.of(), Optional.of("at x"), Optional.empty());
        assertThat(r.remoteStack()).contains("at x");
    }

    @Test
    void timeoutMessageSaysHowLong() {
        assertThat(RpcTimeoutException.after("the result of a call", Duration.ofMillis(1500)))
                .hasMessageStartingWith("Timed out after 1500 ms waiting for the result of a call");
    }

    @Test
    void undefinedPrintsLikeJavaScript() {
        assertThat(Undefined.INSTANCE).hasToString("undefined");
    }
}
