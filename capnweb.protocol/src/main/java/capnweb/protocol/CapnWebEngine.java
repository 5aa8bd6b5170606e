package capnweb.protocol;

import capnweb.api.RpcPromise;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.SessionOptions;
import capnweb.api.SessionRequest;
import capnweb.api.spi.HttpBatchPoster;
import capnweb.api.spi.MessageTransport;
import capnweb.api.spi.RpcEngine;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** The Cap'n Web protocol engine, found by {@code capnweb.api} with {@link java.util.ServiceLoader}. */
public final class CapnWebEngine implements RpcEngine {

    /** The ServiceLoader constructor. */
    public CapnWebEngine() {
    }

    @Override
    public String name() {
        return "capnweb.protocol";
    }

    @Override
    public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options) {
        return newSession(transport, localMain, options, null);
    }

    @Override
    public RpcSession newSession(MessageTransport transport, Object localMain, SessionOptions options,
            SessionRequest request) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(localMain, "localMain");
        Objects.requireNonNull(options, "options");
        Session session = new Session(transport, localMain, options, options.executor().orElse(null), request);
        session.start();
        return session;
    }

    @Override
    public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options) {
        return serveBatch(requestBody, localMain, options, null);
    }

    @Override
    public CompletionStage<String> serveBatch(String requestBody, Object localMain, SessionOptions options,
            SessionRequest request) {
        Objects.requireNonNull(requestBody, "requestBody");
        Objects.requireNonNull(localMain, "localMain");
        Objects.requireNonNull(options, "options");
        return BatchServer.serve(requestBody, localMain, options, request);
    }

    @Override
    public RpcSession newBatchClient(HttpBatchPoster poster, Object localMain, SessionOptions options) {
        Objects.requireNonNull(poster, "poster");
        Objects.requireNonNull(localMain, "localMain");
        Objects.requireNonNull(options, "options");
        return BatchClient.open(poster, localMain, options);
    }

    @Override
    public RpcStub localStub(Object target) {
        return LocalStubs.stub(target);
    }

    @Override
    public RpcPromise localPromise(CompletionStage<?> future) {
        return LocalStubs.promise(future);
    }
}
