package capnweb.protocol;

import capnweb.api.RpcException;
import capnweb.api.SessionOptions;
import capnweb.api.spi.MessageTransport;

/**
 * The bounds of one session beyond the size of a single message: the sizes of its tables, the
 * calls running on its targets, and the bytes waiting for a peer that does not read. A peer can
 * make any of them grow with a few small frames (pipelining makes one frame arbitrarily
 * expensive), so exceeding one aborts the session, with a message naming the limit and how to
 * raise it. Confined to the session's executor, like the session.
 */
final class SessionLimits {
    private static final System.Logger LOG = System.getLogger(SessionLimits.class.getName());

    private final Session session;
    private final SessionOptions options;
    private int callsInFlight;
    private boolean aborting;

    SessionLimits(Session session, SessionOptions options) {
        this.session = session;
        this.options = options;
    }

    /**
     * Checks the tables after they changed; throws if one grew past its limit, and makes sure the
     * session is aborted even where the caller swallows the exception (e.g. a call the
     * application made, which only fails that call).
     */
    void checkTables(int imports, int previousImports, int exports, int previousExports) {
        if (exports > previousExports && exports > options.maxExports()) {
            throw exceeded("Error", "The session's export table exceeded its limit of " + options.maxExports()
                    + " entries (objects, promises and calls the peer holds)",
                    "SessionOptions.builder().maxExports(n)");
        }
        if (imports > previousImports && imports > options.maxImports()) {
            throw exceeded("Error", "The session's import table exceeded its limit of " + options.maxImports()
                    + " entries (objects, promises and calls this side holds)",
                    "SessionOptions.builder().maxImports(n)");
        }
    }

    /**
     * A call to a local target or function is starting.
     *
     * @throws RpcException if that makes more calls in flight than allowed; the session aborts
     */
    void callStarted() {
        if (callsInFlight >= options.maxCallsInFlight()) {
            throw exceeded("Error", "The peer has more than " + options.maxCallsInFlight()
                    + " calls in flight on this session's targets", "SessionOptions.builder().maxCallsInFlight(n)");
        }
        callsInFlight++;
    }

    /** A call counted by {@link #callStarted} has settled. */
    void callSettled() {
        callsInFlight--;
    }

    int callsInFlight() {
        return callsInFlight;
    }

    /** Checks the transport's queue after a send; aborts the session if the peer reads too slowly. */
    void checkQueue(MessageTransport transport) {
        long queued = transport.queuedBytes();
        if (queued > options.maxQueuedBytes() && !aborting) {
            exceeded("Error", "The peer is not reading: " + queued + " bytes are waiting to be sent, more than"
                    + " the limit of " + options.maxQueuedBytes() + " bytes", "SessionOptions.builder().maxQueuedBytes(n)");
        }
    }

    private RpcException exceeded(String type, String what, String how) {
        RpcException error = RpcException.of(type, what + "; the session was aborted. If the peer is legitimate, "
                + "raise the limit with " + how + ".");
        if (!aborting) {
            aborting = true;
            LOG.log(System.Logger.Level.DEBUG, () -> "aborting a session: " + error.getMessage());
            // After the running task: the caller is in the middle of updating the tables.
            session.executor.microtask(() -> session.abort(error, true));
        }
        return error;
    }
}
