package capnweb.protocol;

import java.util.function.Consumer;

/**
 * A hook over a payload in local memory: the result of a call kept for pipelining and pulling,
 * or a resolution that arrived from the peer.
 */
final class PayloadHook extends ValueHook {
    private Payload payload;

    PayloadHook(Payload payload, Session session) {
        super(session);
        this.payload = payload;
    }

    private Payload payload() {
        if (payload == null) {
            throw Errors.error("Attempted to use an RPC StubHook after it was disposed.");
        }
        return payload;
    }

    @Override
    Object root() {
        return payload().value;
    }

    @Override
    boolean ownedByPayload() {
        return true;
    }

    @Override
    StubHook dup() {
        return new PayloadHook(Payload.deepCopyFrom(payload().value, session), session);
    }

    @Override
    Later<Payload> pull() {
        // The hook's own payload, not a copy: the caller disposes one of the two.
        try {
            return Later.resolved(payload());
        } catch (RuntimeException e) {
            return Later.rejected(e);
        }
    }

    @Override
    void dispose() {
        if (payload != null) {
            Payload p = payload;
            payload = null;
            p.dispose();
        }
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        if (payload != null && payload.value instanceof StubImpl) {
            ((StubImpl) payload.value).hookOnThread().onBroken(callback);
        }
    }
}
