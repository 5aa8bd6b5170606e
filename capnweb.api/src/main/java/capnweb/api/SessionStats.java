package capnweb.api;

/**
 * How many entries a session's tables hold: a snapshot, for tests and leak checks.
 *
 * <p>A fresh session holds one import (the peer's main object) and one export (its own main);
 * after every stub has been closed and every result released, it is back to that.
 *
 * @param imports entries in the import table (stubs and promises this side holds)
 * @param exports entries in the export table (objects and promises the peer holds)
 */
public record SessionStats(int imports, int exports) {
}
