package capnweb.api.spi;

import java.util.concurrent.CompletionStage;

/**
 * Sends one HTTP batch request for the engine's batch client: what a transport provides so that
 * the engine can run a batch session over it.
 */
@FunctionalInterface
public interface HttpBatchPoster {

    /**
     * POSTs {@code body} (newline-separated messages) and completes with the response body.
     * Completes exceptionally, with a message naming the HTTP status, if the response is not 200.
     *
     * @param body the request body
     * @return the response body
     */
    CompletionStage<String> post(String body);
}
