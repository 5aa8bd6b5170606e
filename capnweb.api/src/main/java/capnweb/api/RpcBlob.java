package capnweb.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A JavaScript {@code Blob}: a MIME type (possibly empty) and immutable bytes. On the wire the
 * bytes travel as a stream, so a large blob does not hold up other calls; the receiver sees the
 * blob only once all of it arrived.
 */
public final class RpcBlob {
    private final String type;
    private final byte[] bytes;

    private RpcBlob(String type, byte[] bytes) {
        this.type = type;
        this.bytes = bytes;
    }

    /** A blob of a copy of {@code bytes} with MIME type {@code type} ("" for none). */
    public static RpcBlob of(String type, byte[] bytes) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(bytes, "bytes");
        return new RpcBlob(type, bytes.clone());
    }

    /** The MIME type, "" if none. */
    public String type() {
        return type;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The number of bytes. */
    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcBlob && ((RpcBlob) o).type.equals(type) && Arrays.equals(((RpcBlob) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "RpcBlob[type=" + type + ", size=" + bytes.length + "]";
    }
}
