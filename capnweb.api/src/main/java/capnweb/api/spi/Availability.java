package capnweb.api.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a provider can work in this runtime, and if not, why.
 *
 * @param available whether the provider can be used
 * @param reason why it cannot, empty when it can
 */
public record Availability(boolean available, Optional<String> reason) {

    private static final Availability AVAILABLE = new Availability(true, Optional.empty());

    /** Checks the reason is present exactly when the provider is unavailable. */
    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (available == reason.isPresent()) {
            throw new IllegalArgumentException("an unavailable provider needs a reason, an available one none");
        }
    }

    /** @return availability without reservation */
    public static Availability ok() {
        return AVAILABLE;
    }

    /**
     * @param reason one sentence saying why, e.g. "Jetty's WebSocket client is not on the module path."
     * @return unavailability for that reason
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, Optional.of(reason));
    }
}
