package capnweb.protocol;

import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.SessionOptions;
import capnweb.api.Undefined;
import capnweb.api.spi.MessageReceiver;
import capnweb.api.spi.MessageTransport;
import java.util.concurrent.CompletionStage;

/**
 * Stubs and promises of local objects, with no connection ({@code RpcStub.of}, {@code RpcPromise.of}).
 *
 * <p>Each lives in a session of its own that has no peer: the session gives it what every stub
 * has, an executor that keeps its calls in order and the tables that count references to its
 * target, and the forwarding every stub of one session gets when it travels in another's calls.
 * Nothing in such a session ever imports from a peer, so it never sends; it is never started
 * and needs no closing, and goes when nothing refers to it.
 */
final class LocalStubs {
    private LocalStubs() {
    }

    static RpcStub stub(Object target) {
        if (!(target instanceof RpcTarget || target instanceof RpcFunction)) {
            throw new IllegalArgumentException("RpcStub.of takes an RpcTarget or an RpcFunction, got "
                    + Payload.describe(target) + "; to wait for a future, use RpcPromise.of.");
        }
        Session session = detached();
        return StubImpl.local(session, TargetHook.create(target, session));
    }

    static RpcPromise promise(CompletionStage<?> future) {
        if (future instanceof RpcPromise) {
            throw new IllegalArgumentException("RpcPromise.of was given an RpcPromise, which can be used as it is "
                    + "(or dup()ed to keep a second reference).");
        }
        // Adopted as a future inside a target method's result is: the result's stubs become the promise's.
        return PromiseImpl.adopting(detached(), future);
    }

    /**
     * A session with no peer whose work runs on the engine's pool, never on a thread that lends
     * itself: a call on a local stub returns at once, as every call does, while the target runs.
     */
    private static Session detached() {
        return new Session(NoPeer.INSTANCE, Undefined.INSTANCE, UNLIMITED, EnginePools.SHARED, null);
    }

    /**
     * Without table and call limits: those guard a session against its peer, and a local stub has
     * none. Its users are the application and the sessions it is passed to, each bounded by its
     * own limits; a limit here would be shared by all of them, and reaching it would break the
     * stub for every one.
     */
    private static final SessionOptions UNLIMITED = SessionOptions.builder()
            .maxExports(Integer.MAX_VALUE)
            .maxImports(Integer.MAX_VALUE)
            .maxCallsInFlight(Integer.MAX_VALUE)
            .build();

    /** The transport of a session without a peer; such a session has nothing to send. */
    private static final class NoPeer implements MessageTransport {
        static final NoPeer INSTANCE = new NoPeer();

        @Override
        public void start(MessageReceiver receiver) {
        }

        @Override
        public void send(String message) {
            throw new IllegalStateException("A local stub has no peer to send to, yet the engine sent " + message
                    + "; this is a bug in capnweb.protocol.");
        }

        @Override
        public void close() {
        }

        @Override
        public void abort(Throwable reason) {
        }
    }
}
