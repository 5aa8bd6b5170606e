package capnweb.protocol;

import capnweb.api.RpcFunction;
import java.util.Arrays;

/**
 * A method of a target, read as a property: what {@code target.method} is in JavaScript. Calls
 * go through the dispatcher, with the same argument conversion as a direct call.
 */
record BoundMethod(Object target, String name) implements RpcFunction {
    @Override
    public Object apply(Object... args) throws Exception {
        try {
            return Dispatcher.invoke(target, name, Arrays.asList(args));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.util.concurrent.CompletionException(t);
        }
    }
}
