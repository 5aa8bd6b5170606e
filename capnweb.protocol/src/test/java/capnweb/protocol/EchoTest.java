package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every value the protocol carries goes through a Java echo target unchanged, on the wire. */
@Timeout(10)
class EchoTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "123", "-7", "2.5", "1e+21", "null", "true", "\"text \\u0001 \\\"quoted\\\"\"",
        "{\"foo\":{\"bar\":123,\"baz\":456},\"qux\":789}",
        "[[1,[\"undefined\"],[[2,3]],{\"a\":null}]]",
        "[\"undefined\"]", "[\"inf\"]", "[\"-inf\"]", "[\"nan\"]",
        "[\"bigint\",\"-123456789012345678901234567890\"]",
        "[\"date\",1749342170815]", "[\"date\",null]",
        "[\"bytes\",\"aGVsbG8h\"]", "[\"bytes\",\"\"]",
        "[\"bytes\",\"AQIDBA\",\"Int32Array\"]", "[\"bytes\",\"AQID\",\"ArrayBuffer\"]",
        "[\"url\",\"https://example.com/path?q=1\"]",
        "[\"error\",\"TypeError\",\"the message\"]",
        "[\"error\",\"RangeError\",\"rich\",null,{\"code\":\"E_RICH\",\"details\":{\"count\":7},\"when\":[\"date\",1234]}]",
        "[\"error\",\"Error\",\"outer\",null,{\"cause\":[\"error\",\"TypeError\",\"inner\"]}]",
        "{\"nested\":[[{\"deep\":[[[\"bigint\",\"1\"]]]}]]}",
    })
    void valueComesBackUnchanged(String value) {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"echo\"],[" + value + "]]]", "[\"pull\",1]")
                    .expect("[\"resolve\",1," + value + "]");
        }
    }

    @Test
    void malformedHeadersRejectTheCallButTheSessionCarriesOn() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"headers\",[[\"a\"]]]]]]", "[\"pull\",1]");
            assertThat(peer.next()).startsWith("[\"abort\",[\"error\",\"TypeError\",\"Failed to construct 'Headers'");
        }
    }

    @Test
    void headersComeBackUnchanged() {
        try (ScriptedPeer peer = new ScriptedPeer(new TestTargets.TestTarget())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"echo\"],[[\"headers\",[[\"b\",\"1\"],[\"a\",\"2\"]]]]]]",
                    "[\"pull\",1]").expect("[\"resolve\",1,[\"headers\",[[\"b\",\"1\"],[\"a\",\"2\"]]]]");
            peer.send("[\"push\",[\"pipeline\",0,[\"square\"],[2]]]", "[\"pull\",2]").expect("[\"resolve\",2,4]");
        }
    }

    @Test
    void echoedStubIsStillCallable() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcStub counter = (RpcStub) h.main.call("makeCounter", 1).join();
            RpcStub echoed = (RpcStub) h.main.call("echo", counter).join();
            assertThat(echoed.call("increment").join()).isEqualTo(2L);
            assertThat(counter.call("increment").join()).isEqualTo(3L);
            echoed.close();
            counter.close();
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new capnweb.api.SessionStats(1, 1));
        }
    }

    @Test
    void stubThatArrivedThroughAPromiseArgumentCanBeReturned() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise counterPromise = h.main.call("makeCounter", 1);
            RpcStub echoed = (RpcStub) h.main.call("echo", counterPromise).join();
            assertThat(echoed.call("increment").join()).isEqualTo(2L);
            echoed.close();
            counterPromise.close();
            h.awaitBaseline();
            assertThat(h.server.stats()).isEqualTo(new capnweb.api.SessionStats(1, 1));
        }
    }

    @Test
    void promisesNestedInArgumentsAreResolvedBeforeDelivery() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise a = h.main.call("square", 2);
            RpcPromise b = h.main.call("square", 3);
            Object echoed = h.main.call("echo", Map.of("list", List.of(a, b), "again", a)).join();
            assertThat(echoed).isEqualTo(Map.of("list", List.of(4L, 9L), "again", 4L));
            a.close();
            b.close();
        }
    }

    @Test
    void diamondDependencyResolvesOnce() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise base = h.main.call("square", 2);
            RpcPromise left = h.main.call("add", base, 1);
            RpcPromise right = h.main.call("add", base, 2);
            assertThat(h.main.call("add", left, right).join()).isEqualTo(11L);
            base.close();
            left.close();
            right.close();
        }
    }

    @Test
    void propertyOfAPromiseCanBePassedAsArgument() {
        try (Harness h = new Harness(new TestTargets.TestTarget())) {
            RpcPromise obj = h.main.call("echo", Map.of("n", 6));
            assertThat(h.main.call("square", obj.get("n")).join()).isEqualTo(36L);
            obj.close();
        }
    }
}
