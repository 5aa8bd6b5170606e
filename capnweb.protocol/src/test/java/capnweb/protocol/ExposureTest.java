package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.RpcFunction;
import capnweb.api.RpcTarget;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exposure audit: what a remote caller can reach on a Java target, checked member by member
 * at the wire. Every forbidden member answers exactly as the reference answers for a member that
 * does not exist (a call rejects with {@code TypeError: 'name' is not a function.}, a property
 * read resolves to undefined), and none of them runs: the target records every invocation of the
 * members it overrides, and the record must stay empty.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ExposureTest {

    /** Records what ran; overrides every overridable member of Object and then some. */
    public static class Exposed implements RpcTarget, AutoCloseable {
        public static final List<String> STATIC_RAN = new CopyOnWriteArrayList<>();
        final List<String> ran = new CopyOnWriteArrayList<>();
        public String publicField = "field";
        public static String staticField = "static field";

        public static String staticMethod() {
            STATIC_RAN.add("staticMethod");
            return "static";
        }

        public static String getStaticProperty() {
            STATIC_RAN.add("getStaticProperty");
            return "static";
        }

        String packagePrivate() {
            ran.add("packagePrivate");
            return "package";
        }

        protected String protectedMethod() {
            ran.add("protectedMethod");
            return "protected";
        }

        @SuppressWarnings("unused")
        private String privateMethod() {
            ran.add("privateMethod");
            return "private";
        }

        String getHidden() {
            ran.add("getHidden");
            return "hidden";
        }

        public String allowed() {
            return "ok";
        }

        public Map<String, Object> data() {
            return Map.of("k", "v");
        }

        public Point point() {
            return new Point(1, 2);
        }

        @Override
        public String toString() {
            ran.add("toString");
            return "Exposed";
        }

        @Override
        public int hashCode() {
            ran.add("hashCode");
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            ran.add("equals");
            return o == this;
        }

        @Override
        @SuppressWarnings({"deprecation", "removal"})
        protected void finalize() {
            ran.add("finalize");
        }

        @Override
        protected Object clone() {
            ran.add("clone");
            return this;
        }

        @Override
        public void close() {
            ran.add("close");
        }
    }

    /** A record result: its components are readable, nothing else of it. */
    public record Point(long x, long y) {
    }

    /** A target that is also a function: the API's {@code apply} is not a member. */
    public static final class FunctionTarget implements RpcTarget, RpcFunction {
        final List<String> ran = new CopyOnWriteArrayList<>();

        @Override
        public Object apply(Object... args) {
            ran.add("apply");
            return "applied";
        }

        public String allowed() {
            return "ok";
        }
    }

    private static String notAFunction(int id, String path) {
        return "[\"reject\"," + id + ",[\"error\",\"TypeError\",\"'" + path + "' is not a function.\"]]";
    }

    private static void assertCallIsRefused(Object target, String member, List<String> ran) {
        try (ScriptedPeer peer = new ScriptedPeer(target)) {
            peer.send("[\"push\",[\"pipeline\",0,[\"" + member + "\"],[]]]", "[\"pull\",1]");
            peer.expect(notAFunction(1, member));
            // The session goes on: a permitted member still answers.
            peer.send("[\"push\",[\"pipeline\",0,[\"allowed\"],[]]]", "[\"pull\",2]");
            peer.expect("[\"resolve\",2,\"ok\"]");
            assertThat(peer.session.isOpen()).isTrue();
            // Checked before the session ends, which closes the main object.
            assertThat(ran).as("members that ran").isEmpty();
            assertThat(Exposed.STATIC_RAN).as("static members that ran").isEmpty();
        }
    }

    private static void assertPropertyIsUndefined(Object target, String member, List<String> ran) {
        try (ScriptedPeer peer = new ScriptedPeer(target)) {
            peer.send("[\"push\",[\"pipeline\",0,[\"" + member + "\"]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"undefined\"]]");
            assertThat(peer.session.isOpen()).isTrue();
            // Checked before the session ends, which closes the main object.
            assertThat(ran).as("members that ran").isEmpty();
            assertThat(Exposed.STATIC_RAN).as("static members that ran").isEmpty();
        }
    }

    @ParameterizedTest(name = "call {0}")
    @ValueSource(strings = {"getClass", "wait", "notify", "notifyAll", "hashCode", "equals", "toString",
        "clone", "finalize", "close", "staticMethod", "getStaticProperty", "publicField", "staticField",
        "packagePrivate", "protectedMethod", "privateMethod", "getHidden", "constructor", "__proto__",
        "prototype", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf", "class"})
    void forbiddenMemberIsNotAFunction(String member) {
        Exposed target = new Exposed();
        assertCallIsRefused(target, member, target.ran);
    }

    @ParameterizedTest(name = "read {0}")
    @ValueSource(strings = {"class", "getClass", "hashCode", "toString", "publicField", "staticField",
        "staticProperty", "staticMethod", "hidden", "packagePrivate", "protectedMethod", "privateMethod",
        "constructor", "__proto__", "prototype", "valueOf", "close"})
    void forbiddenPropertyReadsAsUndefined(String member) {
        Exposed target = new Exposed();
        assertPropertyIsUndefined(target, member, target.ran);
    }

    @ParameterizedTest(name = "call {0} of a function target")
    @ValueSource(strings = {"apply", "call", "bind", "getClass", "toString", "hashCode"})
    void apiMembersOfAFunctionTargetAreNotFunctions(String member) {
        FunctionTarget target = new FunctionTarget();
        assertCallIsRefused(target, member, target.ran);
    }

    @ParameterizedTest(name = "path {0}")
    @ValueSource(strings = {"\"constructor\",\"name\"", "\"__proto__\",\"toString\"", "\"prototype\",\"constructor\""})
    void pathsThroughPrototypeNamesReachNothing(String path) {
        Exposed target = new Exposed();
        try (ScriptedPeer peer = new ScriptedPeer(target)) {
            peer.send("[\"push\",[\"pipeline\",0,[" + path + "],[]]]", "[\"pull\",1]");
            // The first step yields undefined; stepping further is JavaScript's TypeError.
            assertThat(peer.next()).startsWith("[\"reject\",1,[\"error\",\"TypeError\",");
            assertThat(peer.session.isOpen()).isTrue();
            assertThat(target.ran).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} of a map result")
    @ValueSource(strings = {"getClass", "hashCode", "toString", "entrySet", "get", "size", "constructor", "__proto__"})
    void javaMembersOfAMapResultAreNotReachable(String member) {
        try (ScriptedPeer peer = new ScriptedPeer(new Exposed())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"data\"],[]]]",
                    "[\"push\",[\"pipeline\",1,[\"" + member + "\"],[]]]", "[\"pull\",2]");
            peer.expect(notAFunction(2, member));
            peer.send("[\"push\",[\"pipeline\",1,[\"k\"]]]", "[\"pull\",3]");
            peer.expect("[\"resolve\",3,\"v\"]");
        }
    }

    @ParameterizedTest(name = "{0} of a record result")
    @ValueSource(strings = {"getClass", "hashCode", "toString", "equals", "constructor"})
    void javaMembersOfARecordResultAreNotReachable(String member) {
        try (ScriptedPeer peer = new ScriptedPeer(new Exposed())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"point\"],[]]]",
                    "[\"push\",[\"pipeline\",1,[\"" + member + "\"],[]]]", "[\"pull\",2]");
            peer.expect(notAFunction(2, member));
            peer.send("[\"push\",[\"pipeline\",1,[\"x\"]]]", "[\"pull\",3]");
            peer.expect("[\"resolve\",3,1]");
        }
    }

    @ParameterizedTest(name = "{0} of a string result")
    @ValueSource(strings = {"length", "getClass", "toString", "charAt", "getBytes"})
    void membersOfAPrimitiveResultAreNotReachable(String member) {
        try (ScriptedPeer peer = new ScriptedPeer(new Exposed())) {
            peer.send("[\"push\",[\"pipeline\",0,[\"allowed\"],[]]]",
                    "[\"push\",[\"pipeline\",1,[\"" + member + "\"]]]", "[\"pull\",2]");
            peer.expect("[\"resolve\",2,[\"undefined\"]]");
        }
    }

    @Test
    void releasingTheMainObjectClosesItOnlyAtTheEndOfTheSession() {
        Exposed target = new Exposed();
        try (ScriptedPeer peer = new ScriptedPeer(target)) {
            peer.send("[\"push\",[\"pipeline\",0,[\"close\"],[]]]", "[\"pull\",1]");
            peer.expect(notAFunction(1, "close"));
            assertThat(target.ran).isEmpty();
        }
        // close() runs once, when the session lets go of its main object: never at a peer's request.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (target.ran.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(target.ran).containsExactly("close");
    }

    @Test
    void numericPathStepsOnATargetReachNothing() {
        Exposed target = new Exposed();
        try (ScriptedPeer peer = new ScriptedPeer(target)) {
            peer.send("[\"push\",[\"pipeline\",0,[0]]]", "[\"pull\",1]");
            peer.expect("[\"resolve\",1,[\"undefined\"]]");
            peer.send("[\"push\",[\"pipeline\",0,[0],[]]]", "[\"pull\",2]");
            peer.expect(notAFunction(2, "0"));
            assertThat(target.ran).isEmpty();
        }
    }
}
