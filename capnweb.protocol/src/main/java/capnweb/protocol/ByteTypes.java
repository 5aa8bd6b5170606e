package capnweb.protocol;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The JavaScript byte-container type ({@code Int16Array}, {@code ArrayBuffer}...) that bytes
 * arrived with. The application always receives a plain {@code byte[]}; the engine remembers
 * the type of that very array (weakly, by identity), so that the same array sent back — an echo —
 * keeps its type on the wire. A new or copied array is sent as plain bytes ({@code Uint8Array}).
 */
final class ByteTypes {
    /** The markers the reference accepts. */
    static final Set<String> TYPES = Set.of("ArrayBuffer", "DataView", "Int8Array", "Uint8Array",
            "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
            "BigInt64Array", "BigUint64Array", "Float32Array", "Float64Array");

    // Arrays hash and compare by identity, so a WeakHashMap is an identity map here.
    private static final Map<byte[], String> REMEMBERED = Collections.synchronizedMap(new WeakHashMap<>());

    private ByteTypes() {
    }

    /** The size of one element; a typed array's byte length must be a multiple of it. */
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

    static void remember(byte[] bytes, String type) {
        if (!type.equals("Uint8Array")) {
            REMEMBERED.put(bytes, type);
        }
    }

    /** @return the type {@code bytes} arrived with, or null for plain bytes */
    static String typeOf(byte[] bytes) {
        return REMEMBERED.isEmpty() ? null : REMEMBERED.get(bytes);
    }
}
