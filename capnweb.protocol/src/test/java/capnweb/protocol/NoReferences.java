package capnweb.protocol;

/** An importer for evaluating plain values without a session: every reference is a test failure. */
final class NoReferences implements Evaluator.Importer {
    private final int maxDepth;

    NoReferences(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    @Override
    public StubHook importStub(long id) {
        throw new AssertionError("a plain value imports nothing");
    }

    @Override
    public StubHook importPromise(long id) {
        throw new AssertionError("a plain value imports nothing");
    }

    @Override
    public StubHook getExport(long id) {
        return null;
    }

    @Override
    public Session session() {
        return null;
    }

    @Override
    public int maxDepth() {
        return maxDepth;
    }

    @Override
    public int maxBigIntDigits() {
        return 16384;
    }
}
