package capnweb.transport.jetty;

import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionStats;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.RpcEngine;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * An engine that only moves text, to test the transport's plumbing without the protocol: a
 * session answers each message {@code m} with {@code echo:m} (written with {@code flushSoon()}
 * if {@link #flushSoon} is set, as the engine does at the end of its work), closes on
 * {@code close}, on {@code abort} sends {@code last words} and aborts, and on {@code block}
 * holds the delivering thread until {@link #unblock} opens (20 s at most). A batch answers each line the same
 * way and fails for a body starting with {@code fail}.
 */
final class FakeEngine implements RpcEngine {
    final BlockingQueue<FakeSession> sessions = new LinkedBlockingQueue<>();
    volatile HttpBatchPoster lastPoster;
    volatile boolean echo = true;
    volatile boolean flushSoon;
    final CountDownLatch unblock = new CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicInteger batchesStarted = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
        FakeSession s = new FakeSession(transport, echo, flushSoon, unblock);
        sessions.add(s);
        transport.start(s);
        return s;
    }

    @Override
    public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
        batchesStarted.incrementAndGet();
        if (requestBody.startsWith("fail")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad batch"));
        }
        if (requestBody.equals("slow")) {
            return CompletableFuture.supplyAsync(() -> "done slowly",
                    CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
        }
        if (requestBody.isEmpty()) {
            return CompletableFuture.completedFuture("");
        }
        return CompletableFuture.completedFuture(Arrays.stream(requestBody.split("\n", -1))
                .map(line -> "echo:" + line).collect(Collectors.joining("\n")));
    }

    @Override
    public RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options) {
        lastPoster = poster;
        return new FakeSession(null, false, false, unblock);
    }

    FakeSession nextSession() throws InterruptedException {
        FakeSession s = sessions.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no session started within 10 seconds");
        }
        return s;
    }

    static final class FakeSession implements RpcSession, MessageReceiver {
        final MessageTransport transport;
        final boolean echo;
        final boolean flushSoon;
        final CountDownLatch unblock;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> closedCause = new CompletableFuture<>();

        FakeSession(MessageTransport transport, boolean echo, boolean flushSoon,
                CountDownLatch unblock) {
            this.transport = transport;
            this.echo = echo;
            this.flushSoon = flushSoon;
            this.unblock = unblock;
        }

        String nextMessage() throws InterruptedException {
            String m = received.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 10 seconds");
            }
            return m;
        }

        @Override
        public void onMessage(String message) {
            received.add(message);
            if (!echo) {
                return;
            }
            switch (message) {
                case "close" -> transport.close();
                case "abort" -> {
                    transport.send("last words");
                    transport.flush();
                    transport.abort(new IllegalStateException("stop"));
                }
                case "block" -> {
                    try {
                        unblock.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> {
                    transport.send("echo:" + message);
                    if (flushSoon) {
                        transport.flushSoon();
                    } else {
                        transport.flush();
                    }
                }
            }
        }

        @Override
        public void onClosed(Throwable cause) {
            closedCause.complete(cause);
        }

        @Override
        public RpcStub main() {
            throw new UnsupportedOperationException();
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
            return closedCause.thenApply(c -> null);
        }

        @Override
        public boolean isOpen() {
            return !closedCause.isDone();
        }

        @Override
        public void close() {
            if (transport != null) {
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
            transport.abort(reason);
        }
    }
}
