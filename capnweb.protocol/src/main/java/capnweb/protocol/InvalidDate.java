package capnweb.protocol;

/**
 * JavaScript's Invalid Date ({@code ["date", null]} on the wire). Target methods that declare an
 * {@code Instant} or {@code Date} parameter receive null; those that declare {@code Object}
 * receive this value, which is sent back as an Invalid Date.
 */
enum InvalidDate {
    INSTANCE;

    @Override
    public String toString() {
        return "Invalid Date";
    }
}
