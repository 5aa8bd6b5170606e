package capnweb.api;

/**
 * A function passed by reference: the peer receives a stub that it can call, and each call runs
 * this function in the session that exported it.
 *
 * <p>The arguments arrive converted as described in {@link RpcStub}; the result may be a plain
 * value or a {@link java.util.concurrent.CompletionStage}.
 */
@FunctionalInterface
public interface RpcFunction {
    /**
     * Runs the function.
     *
     * @param args the arguments the caller passed, never {@code null}
     * @return the result, sent back to the caller
     * @throws Exception to reject the caller's promise with this error
     */
    Object apply(Object... args) throws Exception;
}
