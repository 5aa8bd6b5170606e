package capnweb.api.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds the engine and the transports and chooses among them, deterministically: the highest
 * {@code priority()} wins, ties go by name, and the system property {@value #TRANSPORT_PROPERTY}
 * forces a transport by name. Tests build one from explicit lists with {@link #of}.
 */
public final class ProviderRegistry {
    /** The system property that forces a transport by name, e.g. {@code -Dcapnweb.transport=vertx}. */
    public static final String TRANSPORT_PROPERTY = "capnweb.transport";

    private static final System.Logger LOG = System.getLogger(ProviderRegistry.class.getName());
    private static final Comparator<TransportProvider> TRANSPORT_ORDER =
            Comparator.comparingInt(TransportProvider::priority).reversed()
                    .thenComparing(TransportProvider::name);
    private static final Comparator<RpcEngine> ENGINE_ORDER =
            Comparator.comparingInt(RpcEngine::priority).reversed().thenComparing(RpcEngine::name);

    private static volatile ProviderRegistry loaded;

    private final List<RpcEngine> engines;
    private final List<TransportProvider> transports;
    private volatile boolean choiceLogged;

    private ProviderRegistry(List<RpcEngine> engines, List<TransportProvider> transports) {
        this.engines = engines.stream().sorted(ENGINE_ORDER).collect(Collectors.toUnmodifiableList());
        this.transports = transports.stream().sorted(TRANSPORT_ORDER).collect(Collectors.toUnmodifiableList());
    }

    /**
     * The registry of the providers on the module path (or class path), loaded once.
     *
     * @return the registry
     */
    public static ProviderRegistry load() {
        ProviderRegistry r = loaded;
        if (r == null) {
            synchronized (ProviderRegistry.class) {
                r = loaded;
                if (r == null) {
                    r = new ProviderRegistry(loadAll(RpcEngine.class), loadAll(TransportProvider.class));
                    loaded = r;
                }
            }
        }
        return r;
    }

    /**
     * A registry of exactly these providers, for tests and for applications that wire providers
     * by hand.
     *
     * @param engines the engines
     * @param transports the transports
     * @return the registry
     */
    public static ProviderRegistry of(List<? extends RpcEngine> engines,
            List<? extends TransportProvider> transports) {
        return new ProviderRegistry(List.copyOf(engines), List.copyOf(transports));
    }

    /** @return every engine found, best first */
    public List<RpcEngine> engines() {
        return engines;
    }

    /** @return every transport found, best first, available or not */
    public List<TransportProvider> transports() {
        return transports;
    }

    /**
     * The engine to use.
     *
     * @return the best engine
     * @throws IllegalStateException if none was found
     */
    public RpcEngine engine() {
        if (engines.isEmpty()) {
            throw new IllegalStateException("No Cap'n Web engine found: put capnweb.protocol "
                    + "(artifact capnweb-protocol) on the module path or class path.");
        }
        return engines.get(0);
    }

    /**
     * The transport to use: the one named by the system property {@value #TRANSPORT_PROPERTY}
     * if set, otherwise the best available one.
     *
     * @return the transport
     * @throws IllegalStateException if none is found or available, saying which jars to add
     */
    public TransportProvider transport() {
        return transport(Optional.ofNullable(System.getProperty(TRANSPORT_PROPERTY))
                .map(String::trim).filter(s -> !s.isEmpty()));
    }

    /**
     * The transport named {@code name} if present, otherwise as {@link #transport()} without the
     * system property.
     *
     * @param name the provider name asked for, if any
     * @return the transport
     * @throws IllegalStateException if it is not found or not available, in one sentence
     */
    public TransportProvider transport(Optional<String> name) {
        Objects.requireNonNull(name, "name");
        if (transports.isEmpty()) {
            throw new IllegalStateException("No Cap'n Web transport found: put capnweb.transport.jetty "
                    + "or capnweb.transport.vertx on the module path.");
        }
        if (name.isPresent()) {
            String wanted = name.get();
            TransportProvider p = transports.stream().filter(t -> t.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("The Cap'n Web transport '" + wanted
                            + "' was asked for but not found; found: " + names()
                            + ". Put capnweb.transport." + wanted + " on the module path, or ask for one of those."));
            Availability a = p.availability();
            if (!a.available()) {
                throw new IllegalStateException("The Cap'n Web transport '" + wanted
                        + "' is unavailable: " + a.reason().orElse("no reason given"));
            }
            return p;
        }
        List<String> refusals = new ArrayList<>();
        for (TransportProvider p : transports) {
            Availability a = p.availability();
            if (a.available()) {
                if (!choiceLogged) {
                    choiceLogged = true;
                    LOG.log(System.Logger.Level.INFO, () -> "Cap'n Web transport: " + p.name() + " (found: " + names() + ")");
                }
                return p;
            }
            refusals.add(p.name() + ": " + a.reason().orElse("no reason given"));
        }
        throw new IllegalStateException("No Cap'n Web transport is available; "
                + String.join("; ", refusals));
    }

    private String names() {
        return transports.stream().map(TransportProvider::name).collect(Collectors.joining(", "));
    }

    private static <S> List<S> loadAll(Class<S> service) {
        List<S> found = new ArrayList<>();
        var it = ServiceLoader.load(service, ProviderRegistry.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.log(System.Logger.Level.WARNING, "Skipping a " + service.getSimpleName()
                        + " that failed to load: " + e.getMessage(), e);
            }
        }
        return found;
    }
}
