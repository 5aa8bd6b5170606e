package demo.p2p;

import java.util.concurrent.CompletionStage;

/**
 * The part of the other peer that a callback uses, as a typed stub: the engine implements it over
 * the stub that arrives, and each method call is a remote call.
 */
public interface Greeter {
    /** @return the other peer's greeting, once it arrives */
    CompletionStage<String> greet();
}
