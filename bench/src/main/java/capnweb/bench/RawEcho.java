package capnweb.bench;

import capnweb.api.ClientOptions;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.ServerOptions;
import capnweb.api.SessionOptions;
import capnweb.api.SessionStats;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.RpcEngine;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket echo with no RPC, over a Java transport's own client and server: the floor that the
 * RPC numbers are compared with. It plugs into a transport through the engine SPI, so the frames
 * travel exactly the code path RPC frames do, minus the engine.
 *
 * <p>The server answers every message with itself, except messages that start with
 * {@code ["push"} or {@code ["release"}, which it reads and drops: those are the frames of an RPC
 * call that get no answer of their own, so a client can send the frames of a call (push, pull,
 * and release after the answer) and measure what the transport alone costs for them.
 */
final class RawEcho {
    private static final String PUSH = "[\"push\"";
    private static final String RELEASE = "[\"release\"";

    private RawEcho() {
    }

    /** An "engine" whose every session sends each message straight back. */
    static final class EchoEngine implements RpcEngine {
        @Override
        public String name() {
            return "raw-echo";
        }

        @Override
        public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
            RawSession session = new RawSession(transport);
            transport.start(new MessageReceiver() {
                @Override
                public void onMessage(String message) {
                    if (!message.startsWith(PUSH) && !message.startsWith(RELEASE)) {
                        transport.send(message);
                        transport.flush();
                    }
                }

                @Override
                public void onClosed(Throwable cause) {
                    session.closed.complete(null);
                }
            });
            return session;
        }

        @Override
        public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
            return CompletableFuture.completedFuture(requestBody);
        }

        @Override
        public RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options) {
            throw new UnsupportedOperationException("The raw echo has no batch client.");
        }
    }

    /**
     * A client that sends messages and matches each echo to its request in order (the server
     * answers in order), completing a future per message.
     */
    static final class Client implements AutoCloseable {
        private final ArrayDeque<CompletableFuture<String>> pending = new ArrayDeque<>();
        private final RawSession session;

        private Client(RawSession session) {
            this.session = session;
        }

        static Client connect(URI uri, String transport) throws Exception {
            ClientEngine engine = new ClientEngine();
            ClientOptions.Builder options = ClientOptions.builder();
            if (transport != null) {
                options.transport(transport);
            }
            capnweb.api.spi.ProviderRegistry registry = capnweb.api.spi.ProviderRegistry.load();
            RawSession session = (RawSession) registry.transport(java.util.Optional.ofNullable(transport))
                    .connect(uri, options.build(), engine).toCompletableFuture().get(10, TimeUnit.SECONDS);
            return session.client;
        }

        /** Sends a message the server echoes; the future completes with the echo. */
        CompletableFuture<String> send(String message) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            // Sends in the order futures are queued, and one at a time as the SPI asks.
            synchronized (pending) {
                pending.add(reply);
                session.transport.send(message);
                session.transport.flush();
            }
            return reply;
        }

        /** Sends a message the server drops (one that starts with {@code ["push"} or {@code ["release"}). */
        void sendUnanswered(String message) {
            if (!message.startsWith(PUSH) && !message.startsWith(RELEASE)) {
                throw new IllegalArgumentException("The raw echo server answers '" + message
                        + "'; only messages starting with [\"push\" or [\"release\" go unanswered.");
            }
            synchronized (pending) {
                session.transport.send(message);
                session.transport.flush();
            }
        }

        void received(String message) {
            CompletableFuture<String> reply;
            synchronized (pending) {
                reply = pending.poll();
            }
            if (reply != null) {
                reply.complete(message);
            }
        }

        @Override
        public void close() {
            session.close();
        }
    }

    private static final class ClientEngine implements RpcEngine {
        @Override
        public String name() {
            return "raw-echo-client";
        }

        @Override
        public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
            RawSession session = new RawSession(transport);
            session.client = new Client(session);
            transport.start(new MessageReceiver() {
                @Override
                public void onMessage(String message) {
                    session.client.received(message);
                }

                @Override
                public void onClosed(Throwable cause) {
                    session.closed.complete(null);
                }
            });
            return session;
        }

        @Override
        public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options) {
            throw new UnsupportedOperationException("The raw echo has no batch client.");
        }
    }

    /** Just enough of a session for a transport to manage it. */
    private static final class RawSession implements RpcSession {
        final MessageTransport transport;
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        Client client;

        RawSession(MessageTransport transport) {
            this.transport = transport;
        }

        @Override
        public RpcStub main() {
            throw new UnsupportedOperationException("A raw echo session has no main object.");
        }

        @Override
        public SessionStats stats() {
            return new SessionStats(0, 0);
        }

        @Override
        public CompletionStage<Void> drain() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> closed() {
            return closed;
        }

        @Override
        public boolean isOpen() {
            return !closed.isDone();
        }

        @Override
        public void close() {
            if (closed.complete(null)) {
                transport.close();
            }
        }

        @Override
        public boolean close(Duration timeout) {
            close();
            return true;
        }

        @Override
        public void abort(Throwable reason) {
            if (closed.complete(null)) {
                transport.abort(reason);
            }
        }
    }

    /** The options a raw echo server is started with. */
    static ServerOptions serverOptions(int port, String transport) {
        return ServerOptions.builder(() -> capnweb.api.Undefined.INSTANCE).port(port).transport(transport).build();
    }
}
