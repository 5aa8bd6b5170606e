package demo.p2p;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcPromise;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.ServerOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one peer: serves its {@link Peer} and talks to the other peer.
 *
 * <pre>
 * java --module-path ... --module demo.p2p/demo.p2p.Main alice|bob [options]
 *   --port N        where this peer serves (Alice 8080, Bob 8081)
 *   --peer-port N   where the other peer serves (the other default)
 *   --batch         talk over HTTP batch instead of WebSocket
 *   --exit          exit once both sides finished talking, instead of serving until Ctrl+C
 * </pre>
 */
public final class Main {
    private static final Duration CONNECT_PATIENCE = Duration.ofSeconds(30);

    private Main() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if the conversation fails
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Peer self = new Peer(o.name);

        RpcServer server = CapnWeb.serve(ServerOptions.builder(() -> self).port(o.port).build());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "demo-shutdown"));
        say("transport: " + server.transport() + " (found on the module path)");
        say(o.name + " is serving on ws://127.0.0.1:" + server.port() + "/rpc");

        URI peer = URI.create((o.batch ? "http" : "ws") + "://127.0.0.1:" + o.peerPort + "/rpc");
        try {
            if (o.batch) {
                new Conversation(o.name, self).overBatch(peer);
            } else {
                new Conversation(o.name, self).overWebSocket(peer);
            }
        } catch (RuntimeException e) {
            say(o.name + " could not finish the conversation: " + e);
            server.close();
            System.exit(1);
        }

        if (o.exit) {
            boolean heard = self.awaitFarewell(CONNECT_PATIENCE.toSeconds());
            // The other peer closes its connection once our answer to its goodbye arrived.
            awaitNoSessions(server, Duration.ofSeconds(5));
            say(heard ? "Both conversations are over; stopping." : "The other peer never said goodbye; stopping.");
            server.close();
            System.exit(heard ? 0 : 1);
        }
        say(o.name + " keeps serving; press Ctrl+C to stop.");
        Thread.currentThread().join();
    }

    private static void awaitNoSessions(RpcServer server, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (server.openSessions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** One side of the conversation, as a client of the other peer. */
    static final class Conversation {
        private final String name;
        private final Peer self;

        Conversation(String name, Peer self) {
            this.name = name;
            this.self = self;
        }

        void overWebSocket(URI peer) throws InterruptedException {
            try (RpcSession session = connect(peer); RpcStub other = session.main()) {
                show("greet()", other.call("greet"));
                for (String message : messages()) {
                    show("chat(\"" + message + "\")", other.call("chat", message));
                }
                show("the property name", other.get("name"));
                // The property read is sent right behind the call, naming the call's future
                // result, so the whole chain costs one round trip.
                show("getStats().messagesReceived   [pipelined: one round trip]",
                        other.call("getStats").get("messagesReceived"));
                // Passing ourselves by reference: the other peer calls us back over this same
                // WebSocket connection, while our call to it is still in flight.
                show("callMeBack(<stub of " + name + ">)   [the answer came back over this connection]",
                        other.call("callMeBack", self));
                show("getStats()", other.call("getStats"));
                show("bye(\"" + name + "\")", other.call("bye", name));
            }
        }

        void overBatch(URI peer) throws InterruptedException {
            // Every call issued before the first wait travels in one HTTP request.
            try (RpcSession session = connect(peer); RpcStub other = session.main()) {
                RpcPromise greeting = other.call("greet");
                List<RpcPromise> replies = messages().stream().map(m -> other.call("chat", m)).toList();
                RpcPromise count = other.call("getStats").get("messagesReceived");
                // Ask for every result in one step before the first wait sends the batch: a result
                // nobody asked for is not sent back, and the batch session ends with the response.
                List<RpcPromise> wanted = new ArrayList<>(replies);
                wanted.add(greeting);
                wanted.add(count);
                session.whenAll(wanted);
                say(name + " sent greet(), " + replies.size() + " chat() calls and getStats().messagesReceived in one HTTP batch");
                show("greet()", greeting);
                for (int i = 0; i < replies.size(); i++) {
                    show("chat(\"" + messages().get(i) + "\")", replies.get(i));
                }
                show("getStats().messagesReceived   [pipelined in the same batch]", count);
            }
            try (RpcSession session = connect(peer); RpcStub other = session.main()) {
                RpcPromise stats = other.call("getStats");
                RpcPromise bye = other.call("bye", name);
                session.whenAll(stats, bye);
                show("getStats()", stats);
                show("bye(\"" + name + "\")", bye);
            }
        }

        private List<String> messages() {
            return name.equals("Alice")
                    ? List.of("Hi Bob, it's Alice.", "No server between us!", "Talk soon.")
                    : List.of("Hey Alice, Bob here.", "Peer to peer works.", "See you.");
        }

        private void show(String call, RpcPromise promise) {
            try (promise) {
                Object reply = promise.join(Duration.ofSeconds(10));
                say(String.format(Locale.ROOT, "%s %s -> %s", name, (call.startsWith("the ") ? "read " : "called ") + call,
                        quote(reply)));
            }
        }

        private static String quote(Object value) {
            return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        }

        private RpcSession connect(URI peer) throws InterruptedException {
            long deadline = System.nanoTime() + CONNECT_PATIENCE.toNanos();
            ClientOptions options = ClientOptions.builder().localMain(self).build();
            while (true) {
                try {
                    return CapnWeb.connect(peer, options);
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(250); // the other peer is still starting
                }
            }
        }
    }

    /** The command line. */
    private static final class Options {
        String name;
        int port;
        int peerPort;
        boolean batch;
        boolean exit;

        static Options parse(String[] args) {
            Options o = new Options();
            if (args.length == 0 || !(args[0].equals("alice") || args[0].equals("bob"))) {
                throw usage("the first argument must be alice or bob");
            }
            boolean alice = args[0].equals("alice");
            o.name = alice ? "Alice" : "Bob";
            o.port = alice ? 8080 : 8081;
            o.peerPort = alice ? 8081 : 8080;
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> o.port = number(args, ++i);
                    case "--peer-port" -> o.peerPort = number(args, ++i);
                    case "--batch" -> o.batch = true;
                    case "--exit" -> o.exit = true;
                    default -> throw usage("unknown option " + args[i]);
                }
            }
            return o;
        }

        private static int number(String[] args, int i) {
            if (i >= args.length) {
                throw usage(args[i - 1] + " needs a port number");
            }
            try {
                return Integer.parseInt(args[i]);
            } catch (NumberFormatException e) {
                throw usage(args[i - 1] + " needs a port number, not '" + args[i] + "'");
            }
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException("Usage: alice|bob [--port N] [--peer-port N] [--batch] [--exit]: "
                    + problem + ".");
        }
    }
}
