package capnweb.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class SessionRequestTest {

    @Test
    void aWebSocketUpgradeShowsTheSchemeTheClientDialled() {
        RpcHeaders none = RpcHeaders.of();
        assertThat(SessionRequest.of(true, URI.create("http://h:1/rpc?a=1"), none, null).uri())
                .hasToString("ws://h:1/rpc?a=1");
        assertThat(SessionRequest.of(true, URI.create("HTTPS://h/rpc"), none, null).uri()).hasToString("wss://h/rpc");
        assertThat(SessionRequest.of(true, URI.create("wss://h/rpc"), none, null).uri()).hasToString("wss://h/rpc");
        assertThat(SessionRequest.of(false, URI.create("https://h/rpc"), none, null).uri()).hasToString("https://h/rpc");
    }

    @Test
    void queryParametersAreDecodedAndTheFirstOfARepeatedOneWins() {
        SessionRequest r = SessionRequest.of(true,
                URI.create("http://h/rpc?token=a%2Bb+c&flag&token=second&caf%C3%A9=1"), RpcHeaders.of(), null);
        assertThat(r.queryParameter("token")).hasValue("a+b c");
        assertThat(r.queryParameter("flag")).hasValue("");
        assertThat(r.queryParameter("café")).hasValue("1");
        assertThat(r.queryParameter("absent")).isEmpty();
        assertThat(SessionRequest.of(true, URI.create("http://h/rpc"), RpcHeaders.of(), null).queryParameter("x"))
                .isEmpty();
    }

    @Test
    void headersAreFoundInAnyCaseAndTheAddressMayBeAbsent() {
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 5000);
        SessionRequest r = SessionRequest.of(false, URI.create("http://h/rpc"),
                RpcHeaders.of("Origin", "https://app.example", "Cookie", "a=1", "Cookie", "b=2"), from);
        assertThat(r.header("origin")).hasValue("https://app.example");
        assertThat(r.header("COOKIE")).hasValue("a=1, b=2");
        assertThat(r.remoteAddress()).hasValue(from);
        assertThat(r.isWebSocket()).isFalse();
        assertThat(r).hasToString("batch POST http://h/rpc from /127.0.0.1:5000");
        assertThat(SessionRequest.of(true, URI.create("http://h/rpc"), RpcHeaders.of(), null).remoteAddress()).isEmpty();
    }
}
