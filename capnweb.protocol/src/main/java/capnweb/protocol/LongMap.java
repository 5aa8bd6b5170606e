package capnweb.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A map from {@code long} ids to entries, for a session's import and export tables: open
 * addressing with linear probing, so that adding and removing the entry of each call allocates
 * nothing (a {@code HashMap<Long, V>} boxes the id and allocates a node per entry). Not thread
 * safe; a session's tables are confined to its executor.
 */
final class LongMap<V> {
    private static final long PHI = 0x9E3779B97F4A7C15L;

    private long[] keys;
    private Object[] values;
    private int size;
    private int mask;

    LongMap() {
        // Small: most sessions (every small batch) hold two or three entries, the main objects
        // and a call or two, and the table grows by doubling when it is half full.
        keys = new long[4];
        values = new Object[4];
        mask = 3;
    }

    int size() {
        return size;
    }

    private int slot(long key) {
        long h = key * PHI;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
        }
    }

    boolean containsKey(long key) {
        return get(key) != null;
    }

    /** @param value not null */
    void put(long key, V value) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == null) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                closeGap(i);
                size--;
                return (V) v;
            }
        }
    }

    /** Whether any value matches; {@code test} must not change the map. */
    @SuppressWarnings("unchecked")
    boolean anyValue(Predicate<? super V> test) {
        for (Object v : values) {
            if (v != null && test.test((V) v)) {
                return true;
            }
        }
        return false;
    }

    /** @return the values, in no particular order, as a list of their own */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object v : values) {
            if (v != null) {
                out.add((V) v);
            }
        }
        return out;
    }

    /** Backward-shift deletion: moves later entries of the probe run into the gap at {@code gap}. */
    private void closeGap(int gap) {
        int i = gap;
        while (true) {
            i = (i + 1) & mask;
            Object v = values[i];
            if (v == null) {
                break;
            }
            int home = slot(keys[i]);
            // The entry may move back to the gap unless its home lies cyclically in (gap, i].
            boolean homeBetween = gap <= i ? gap < home && home <= i : gap < home || home <= i;
            if (!homeBetween) {
                keys[gap] = keys[i];
                values[gap] = v;
                gap = i;
            }
        }
        values[gap] = null;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }
}
