package capnweb.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the arguments of an application's call on the application's thread, at the moment of
 * the call: later changes to its lists and maps cannot reach the message, and stubs of other
 * sessions are duplicated at once (ordered before any later {@code close()} of the original).
 * Stubs of the calling session are kept as they are: the call runs before anything the
 * application does to them afterwards.
 */
final class AppValues {
    private AppValues() {
    }

    /** @param destination the session the call goes to; null when recording a map() */
    static Object snapshot(Object value, Session destination) {
        return new AppValues.Copy(destination).copy(value, 0);
    }

    private static final class Copy {
        private final Session destination;

        Copy(Session destination) {
            this.destination = destination;
        }

        Object copy(Object v, int depth) {
            if (depth >= Payload.MAX_DEPTH) {
                throw Errors.error("Serialization exceeded maximum allowed depth. (Does the message contain cycles?)");
            }
            if (v instanceof StubImpl) {
                StubImpl s = (StubImpl) v;
                // No destination: a map() recording, which only refers to stubs.
                return destination == null || s.session() == destination ? s : s.dupAnywhere();
            }
            if (v instanceof byte[]) {
                return ((byte[]) v).clone();
            }
            if (v instanceof ByteBuffer) {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return bytes;
            }
            boolean container = v instanceof Map || v instanceof Collection
                    || (v != null && v.getClass().isArray());
            if (!container) {
                return v;
            }
            // A cycle is refused by the depth limit above, with the same message: cheaper than
            // tracking the containers on the path, which every call's argument list would pay.
            if (v instanceof Map) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    out.put(e.getKey(), copy(e.getValue(), depth + 1));
                }
                return out;
            }
            if (v instanceof Collection) {
                Collection<?> c = (Collection<?>) v;
                List<Object> out = new ArrayList<>(c.size());
                for (Object o : c) {
                    out.add(copy(o, depth + 1));
                }
                return out;
            }
            // An array, of objects or primitives.
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(copy(java.lang.reflect.Array.get(v, i), depth + 1));
            }
            return out;
        }
    }
}
