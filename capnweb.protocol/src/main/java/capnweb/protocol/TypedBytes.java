package capnweb.protocol;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Bytes that arrived with a JavaScript byte-container type other than {@code Uint8Array}
 * ({@code ["bytes", b64, "Int16Array"]}), kept so that a value echoed back keeps its type.
 * Target methods that declare a {@code byte[]} parameter receive the bytes; those that declare
 * {@code Object} receive this value, whose {@link #toString()} names the type.
 */
final class TypedBytes {
    /** The markers the reference accepts, with the element size that the length must be a multiple of. */
    static final Set<String> TYPES = Set.of("ArrayBuffer", "DataView", "Int8Array", "Uint8Array",
            "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
            "BigInt64Array", "BigUint64Array", "Float32Array", "Float64Array");

    private final String type;
    private final byte[] bytes;

    TypedBytes(String type, byte[] bytes) {
        this.type = Objects.requireNonNull(type);
        this.bytes = bytes;
    }

    static int elementSize(String type) {
        switch (type) {
            case "Int16Array":
            case "Uint16Array":
                return 2;
            case "Int32Array":
            case "Uint32Array":
            case "Float32Array":
                return 4;
            case "BigInt64Array":
            case "BigUint64Array":
            case "Float64Array":
                return 8;
            default:
                return 1;
        }
    }

    String type() {
        return type;
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypedBytes && ((TypedBytes) o).type.equals(type)
                && Arrays.equals(((TypedBytes) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return type + "(" + bytes.length + " bytes)";
    }
}
