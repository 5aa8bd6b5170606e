package capnweb.protocol;

import java.util.function.Consumer;

/**
 * A hook over a local target object (an {@code RpcTarget} or a function). Every hook for the
 * same object in a session shares one reference count, so that an {@link AutoCloseable} target
 * is closed exactly when the last reference to it goes away.
 */
final class TargetHook extends ValueHook {
    private static final System.Logger LOG = System.getLogger(TargetHook.class.getName());

    /** The shared count of live hooks for one target in one session. */
    static final class Box {
        final Object target;
        int count;

        Box(Object target) {
            this.target = target;
        }
    }

    private Object target;
    private final Box box;

    private TargetHook(Session session, Object target, Box box) {
        super(session);
        this.target = target;
        this.box = box;
        box.count++;
    }

    static TargetHook create(Object target, Session session) {
        return new TargetHook(session, target, session.targetBox(target));
    }

    private Object target() {
        if (target == null) {
            throw Errors.error("Attempted to use an RPC StubHook after it was disposed.");
        }
        return target;
    }

    @Override
    Object root() {
        return target();
    }

    @Override
    boolean ownedByPayload() {
        return false;
    }

    @Override
    StubHook dup() {
        return new TargetHook(session, target(), box);
    }

    @Override
    Later<Payload> pull() {
        return Later.rejected(Errors.error("Tried to resolve a non-promise stub."));
    }

    @Override
    void dispose() {
        if (target != null) {
            target = null;
            if (--box.count == 0) {
                session.releaseTargetBox(box);
                close(box.target);
            }
        }
    }

    static void close(Object target) {
        if (target instanceof AutoCloseable) {
            SessionExecutor application = SessionExecutor.enterApplicationCode();
            try {
                ((AutoCloseable) target).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "Closing a released RPC target failed", e);
            } finally {
                SessionExecutor.leaveApplicationCode(application);
            }
        }
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        // A local object never breaks.
    }
}
