package capnweb.protocol;

import com.google.gson.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hook on an entry of the session's import table: a stub or promise whose target lives in the
 * peer. Calls on it become {@code push} messages until the promise resolves; afterwards they go
 * to the resolution.
 */
final class ImportHook extends StubHook {

    /** One entry of the import table, shared by every hook on the same import id. */
    static final class Entry {
        final Session session;
        final long importId;
        int localRefcount;
        int remoteRefcount = 1;
        private Later<Void> activePull;
        StubHook resolution;
        private List<Integer> onBrokenRegistrations;

        Entry(Session session, long importId, boolean pulling) {
            this.session = session;
            this.importId = importId;
            if (pulling) {
                activePull = Later.pending();
            }
        }

        void resolve(StubHook resolution) {
            if (localRefcount == 0) {
                // Already disposed (cancelled): ignore the resolution, no redundant release.
                resolution.dispose();
                return;
            }
            this.resolution = resolution;
            sendRelease();
            if (onBrokenRegistrations != null) {
                // Move the callbacks from the session to the resolution, keeping their order
                // when the resolution hands them straight back to this session.
                for (int index : onBrokenRegistrations) {
                    Consumer<Throwable> callback = session.onBrokenCallback(index);
                    if (callback == null) {
                        continue;
                    }
                    int end = session.onBrokenCallbackCount();
                    resolution.onBroken(callback);
                    if (session.onBrokenCallback(end) == callback) {
                        session.clearOnBrokenCallback(end);
                    } else {
                        session.clearOnBrokenCallback(index);
                    }
                }
                onBrokenRegistrations = null;
            }
            if (activePull != null) {
                Later<Void> pull = activePull;
                activePull = null;
                pull.resolve(null);
            }
        }

        Later<Payload> awaitResolution() {
            if (activePull == null) {
                session.sendPull(importId);
                activePull = Later.pending();
                Later<Payload> result = activePull.then(x -> resolution.pull());
                refuseIfUnanswerable();
                return result;
            }
            return activePull.then(x -> resolution.pull());
        }

        void dispose() {
            if (resolution != null) {
                resolution.dispose();
            } else {
                abort(Errors.error("RPC was canceled because the RpcPromise was disposed."));
                sendRelease();
            }
        }

        /**
         * Fails this entry at once if the peer can never answer the message that made it (a pull
         * or a stream call of ours; see {@link Session#pullRefusal}).
         */
        void refuseIfUnanswerable() {
            Throwable refusal = session.pullRefusal();
            if (refusal != null) {
                abort(refusal);
            }
        }

        /** Whether something waits for the peer to resolve this entry. */
        boolean awaitsPeer() {
            return resolution == null && activePull != null;
        }

        void abort(Throwable error) {
            if (resolution == null) {
                resolution = new ErrorHook(error);
                if (activePull != null) {
                    Later<Void> pull = activePull;
                    activePull = null;
                    pull.reject(error);
                }
                onBrokenRegistrations = null;
            }
        }

        void onBroken(Consumer<Throwable> callback) {
            if (resolution != null) {
                resolution.onBroken(callback);
            } else {
                int index = session.addOnBrokenCallback(callback);
                if (onBrokenRegistrations == null) {
                    onBrokenRegistrations = new ArrayList<>(2);
                }
                onBrokenRegistrations.add(index);
            }
        }

        private void sendRelease() {
            if (remoteRefcount > 0) {
                session.sendRelease(importId, remoteRefcount);
                remoteRefcount = 0;
            }
        }
    }

    final boolean isPromise;
    private Entry entry;

    ImportHook(boolean isPromise, Entry entry) {
        this.isPromise = isPromise;
        entry.localRefcount++;
        this.entry = entry;
    }

    /** @return the entry, or null once disposed */
    Entry entry() {
        return entry;
    }

    private Entry liveEntry() {
        if (entry == null) {
            throw Errors.error("This RpcImportHook was already disposed.");
        }
        return entry;
    }

    @Override
    StubHook call(List<Object> path, Payload args) {
        Entry e;
        try {
            e = liveEntry();
        } catch (RuntimeException ex) {
            args.dispose();
            throw ex;
        }
        if (e.resolution != null) {
            return e.resolution.call(path, args);
        }
        return e.session.sendCall(e.importId, path, args);
    }

    @Override
    StubHook map(List<Object> path, List<StubHook> captures, JsonArray instructions) {
        Entry e;
        try {
            e = liveEntry();
        } catch (RuntimeException ex) {
            captures.forEach(StubHook::dispose);
            throw ex;
        }
        if (e.resolution != null) {
            return e.resolution.map(path, captures, instructions);
        }
        return e.session.sendMap(e.importId, path, captures, instructions);
    }

    @Override
    StubHook get(List<Object> path) {
        Entry e = liveEntry();
        if (e.resolution != null) {
            return e.resolution.get(path);
        }
        return e.session.sendCall(e.importId, path, null);
    }

    @Override
    StubHook dup() {
        return new ImportHook(false, liveEntry());
    }

    @Override
    Later<Payload> pull() {
        Entry e = liveEntry();
        if (!isPromise) {
            return Later.rejected(Errors.error("Can't pull this hook because it's not a promise hook."));
        }
        if (e.resolution != null) {
            return e.resolution.pull();
        }
        return e.awaitResolution();
    }

    @Override
    void dispose() {
        Entry e = entry;
        entry = null;
        if (e != null && --e.localRefcount == 0) {
            e.dispose();
        }
    }

    @Override
    void onBroken(Consumer<Throwable> callback) {
        if (entry != null) {
            entry.onBroken(callback);
        }
    }
}
