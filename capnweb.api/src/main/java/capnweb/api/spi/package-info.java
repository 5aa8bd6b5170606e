/**
 * The service interfaces of capnweb-java, for authors of engines and transports.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader}: a module {@code provides}
 * {@link capnweb.api.spi.RpcEngine} or {@link capnweb.api.spi.TransportProvider} with a
 * {@code public final} class that has a public no-argument constructor, and ships the same name
 * in {@code META-INF/services} for class-path users. {@link capnweb.api.spi.ProviderRegistry}
 * chooses among them.
 *
 * <p>A custom transport only implements {@link capnweb.api.spi.MessageTransport} and hands it to
 * {@link capnweb.api.CapnWeb#newSession(MessageTransport, Object)}.
 */
package capnweb.api.spi;
