package capnweb.transport.vertx;

import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionStats;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.RpcEngine;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * An engine that moves text and nothing else, to test the transport alone: a WebSocket session
 * answers each message {@code m} with {@code echo:m}; a batch answers each line {@code l} with
 * {@code batch:l}.
 */
final class FakeEngine implements RpcEngine {
    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    final List<String> engineThreads = new CopyOnWriteArrayList<>();
    final BlockingQueue<HttpBatchPoster> posters = new LinkedBlockingQueue<>();
    volatile boolean echo = true;
    /** When set, a session that receives {@code hold} waits for it (up to 10 s) before echoing. */
    volatile CountDownLatch holdOn;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
        engineThreads.add(Thread.currentThread().getName());
        FakeSession s = new FakeSession(transport, localMain);
        sessions.add(s);
        transport.start(s);
        return s;
    }

    @Override
    public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
        engineThreads.add(Thread.currentThread().getName());
        if (requestBody.isEmpty()) {
            return CompletableFuture.completedFuture("");
        }
        if (requestBody.equals("fail")) {
            return CompletableFuture.failedFuture(new IllegalStateException("secret internal detail"));
        }
        return CompletableFuture.completedFuture(requestBody.lines().map(l -> "batch:" + l + ":" + localMain)
                .collect(Collectors.joining("\n")));
    }

    @Override
    public RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options) {
        posters.add(poster);
        return new FakeSession(null, localMain);
    }

    /** One session: records what arrived and how it ended. */
    final class FakeSession implements RpcSession, MessageReceiver {
        final MessageTransport transport;
        final Object main;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        /** The threads messages arrived on. */
        final Set<String> messageThreads = ConcurrentHashMap.newKeySet();

        FakeSession(MessageTransport transport, Object main) {
            this.transport = transport;
            this.main = main;
        }

        @Override
        public void onMessage(String message) {
            messageThreads.add(Thread.currentThread().getName());
            received.add(message);
            CountDownLatch hold = holdOn;
            if (hold != null && message.equals("hold")) {
                try {
                    hold.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (echo) {
                transport.send("echo:" + message);
            }
        }

        @Override
        public void onClosed(Throwable cause) {
            ended.complete(cause);
            closed.complete(null);
        }

        @Override
        public RpcStub main() {
            throw new UnsupportedOperationException("the fake engine has no stubs");
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
            if (transport != null) {
                transport.close();
            }
            closed.complete(null);
        }

        @Override
        public boolean close(Duration timeout) {
            close();
            return true;
        }

        @Override
        public void abort(Throwable reason) {
            if (transport != null) {
                transport.send("[\"abort\",[\"error\",\"Error\",\"" + reason.getMessage() + "\"]]");
                transport.abort(reason);
            }
            closed.complete(null);
        }
    }
}
