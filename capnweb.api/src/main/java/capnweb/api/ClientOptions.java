package capnweb.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings for {@link CapnWeb#connect(java.net.URI, ClientOptions)}: the object this side exposes
 * to the peer, the session settings, the transport, and connection details. Immutable.
 */
public final class ClientOptions {
    private static final ClientOptions DEFAULTS = builder().build();

    private final Object localMain;
    private final SessionOptions sessionOptions;
    private final String transport;
    private final Map<String, String> headers;
    private final Duration connectTimeout;

    private ClientOptions(Builder b) {
        this.localMain = b.localMain;
        this.sessionOptions = b.sessionOptions;
        this.transport = b.transport;
        this.headers = Map.copyOf(b.headers);
        this.connectTimeout = b.connectTimeout;
    }

    /** @return the options with every default */
    public static ClientOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the main object this side exposes to the peer, if any */
    public Optional<Object> localMain() {
        return Optional.ofNullable(localMain);
    }

    /** @return the session settings */
    public SessionOptions sessionOptions() {
        return sessionOptions;
    }

    /** @return the transport asked for by name, if any; otherwise discovery chooses */
    public Optional<String> transport() {
        return Optional.ofNullable(transport);
    }

    /** @return extra HTTP headers for the WebSocket upgrade or batch request */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return how long connecting may take */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Builds {@link ClientOptions}. Not thread-safe. */
    public static final class Builder {
        private Object localMain;
        private SessionOptions sessionOptions = SessionOptions.defaults();
        private String transport;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Sets the object the peer can call: an {@link RpcTarget}, an {@link RpcFunction} or a
         * stub.
         *
         * @param main the object
         * @return this builder
         */
        public Builder localMain(Object main) {
            this.localMain = Objects.requireNonNull(main, "main");
            return this;
        }

        /**
         * Sets the session settings.
         *
         * @param options the settings
         * @return this builder
         */
        public Builder sessionOptions(SessionOptions options) {
            this.sessionOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Asks for a transport by name ({@code "jetty"}, {@code "vertx"}) instead of the one
         * discovery prefers.
         *
         * @param name the provider name
         * @return this builder
         */
        public Builder transport(String name) {
            this.transport = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Adds an HTTP header to the WebSocket upgrade or batch request.
         *
         * @param name the header name
         * @param value the value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets how long connecting may take.
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** @return the options */
        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
