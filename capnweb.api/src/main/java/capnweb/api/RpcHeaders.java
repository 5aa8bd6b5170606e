package capnweb.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * HTTP headers as the Fetch API's {@code Headers} carries them: an ordered list of
 * (name, value) pairs, names in lower case, a name may repeat. Immutable.
 *
 * <p>A JavaScript peer sends its headers sorted by name with repeated names combined (except
 * {@code set-cookie}); this class keeps whatever order and repetition it was given.
 */
public final class RpcHeaders {
    private static final RpcHeaders EMPTY = new RpcHeaders(List.of());

    private final List<Map.Entry<String, String>> pairs;

    private RpcHeaders(List<Map.Entry<String, String>> pairs) {
        this.pairs = pairs;
    }

    /** No headers. */
    public static RpcHeaders of() {
        return EMPTY;
    }

    /** Headers from alternating names and values: {@code of("content-type", "text/plain")}. */
    public static RpcHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Headers need a value for each name: got an odd number of strings.");
        }
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(pair(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new RpcHeaders(Collections.unmodifiableList(list));
    }

    /** Headers from (name, value) pairs, in their order. */
    public static RpcHeaders ofPairs(List<? extends Map.Entry<String, String>> pairs) {
        List<Map.Entry<String, String>> list = new ArrayList<>(pairs.size());
        for (Map.Entry<String, String> p : pairs) {
            list.add(pair(p.getKey(), p.getValue()));
        }
        return new RpcHeaders(Collections.unmodifiableList(list));
    }

    private static Map.Entry<String, String> pair(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return Map.entry(name.toLowerCase(Locale.ROOT), value);
    }

    /** These headers plus one more pair at the end. */
    public RpcHeaders with(String name, String value) {
        List<Map.Entry<String, String>> list = new ArrayList<>(pairs);
        list.add(pair(name, value));
        return new RpcHeaders(Collections.unmodifiableList(list));
    }

    /** The (name, value) pairs, in order. */
    public List<Map.Entry<String, String>> pairs() {
        return pairs;
    }

    /** Every value of {@code name} (any case), in order. */
    public List<String> all(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> p : pairs) {
            if (p.getKey().equals(n)) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /** The values of {@code name} joined with ", " as {@code Headers.get} does, if there is any. */
    public Optional<String> get(String name) {
        List<String> values = all(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
    }

    /** Whether there are no headers. */
    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcHeaders && ((RpcHeaders) o).pairs.equals(pairs);
    }

    @Override
    public int hashCode() {
        return pairs.hashCode();
    }

    @Override
    public String toString() {
        return "RpcHeaders" + pairs;
    }
}
