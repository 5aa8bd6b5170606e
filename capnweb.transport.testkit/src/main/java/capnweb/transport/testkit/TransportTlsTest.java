package capnweb.transport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capnweb.api.ClientOptions;
import capnweb.api.Pem;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import capnweb.api.SessionRequest;
import capnweb.api.spi.TransportText;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions over TLS: a server with {@code ServerOptions.tls} serves {@code wss:} and
 * {@code https:}, a client trusts it through {@code ClientOptions.tlsTrust}, and a client that
 * does not trust the certificate, or reaches the server by a name the certificate does not
 * carry, is refused. With {@code ServerOptions.tlsClientTrust} (mutual TLS) the server requires
 * a trusted client certificate ({@code ClientOptions.tlsKeys}) and its main object factory sees
 * it. The keys are made for each run with the JDK's {@code keytool}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportTlsTest extends HardeningSupport {
    /** The password of the test keys. */
    protected static final char[] PASSWORD = "capnweb-test".toCharArray();

    @TempDir
    static Path keys;
    /** A key and self-signed certificate for 127.0.0.1. */
    protected static KeyStore loopback;
    /** A key and self-signed certificate for example.com only. */
    private static KeyStore elsewhere;
    /** Another key and self-signed certificate for 127.0.0.1, as a renewal would bring. */
    private static KeyStore renewed;
    /** A client's key and self-signed certificate, which the mutual TLS servers trust. */
    private static KeyStore alice;
    /** A client's key and self-signed certificate that no server trusts. */
    private static KeyStore mallory;

    @BeforeAll
    static void makeKeys() throws Exception {
        loopback = keyStore("loopback", "CN=127.0.0.1", "SAN=ip:127.0.0.1");
        elsewhere = keyStore("elsewhere", "CN=example.com", "SAN=dns:example.com");
        renewed = keyStore("renewed", "CN=127.0.0.1,O=Renewed", "SAN=ip:127.0.0.1");
        alice = keyStore("alice", "CN=alice,O=Clients", "SAN=dns:alice.example");
        mallory = keyStore("mallory", "CN=mallory,O=Clients", "SAN=dns:mallory.example");
    }

    /** Says who its session's client is, by the certificate it presented. */
    public static final class WhoAmI implements RpcTarget {
        private final List<X509Certificate> certificates;

        WhoAmI(SessionRequest request) {
            this.certificates = request.peerCertificates();
        }

        public String whoami() {
            return certificates.isEmpty() ? "(no certificate)" : certificates.get(0).getSubjectX500Principal().getName();
        }
    }

    @Test
    void aMutualTlsServerSeesItsClientsCertificate() throws Exception {
        RpcServer server = serveWhoAmI(b -> b.tlsClientTrust(certificateOf(alice)));
        ClientOptions asAlice = ClientOptions.builder().tlsTrust(certificateOf(loopback)).tlsKeys(alice, PASSWORD).build();

        RpcSession webSocket = connect(wss(server), asAlice);
        assertThat(webSocket.main().call("whoami").join(WAIT)).isEqualTo("CN=alice,O=Clients");
        RpcSession batch = connect(server.uri(), asAlice);
        assertThat(batch.main().call("whoami").join(WAIT)).isEqualTo("CN=alice,O=Clients");

        // A server that does not ask for certificates sees none, even from a client that has one.
        RpcServer plain = serveWhoAmI(b -> b);
        assertThat(connect(wss(plain), asAlice).main().call("whoami").join(WAIT)).isEqualTo("(no certificate)");
        assertThat(connect(plain.uri(), asAlice).main().call("whoami").join(WAIT)).isEqualTo("(no certificate)");
    }

    @Test
    void aMutualTlsServerRefusesClientsWithoutATrustedCertificate() throws Exception {
        RpcServer server = serveWhoAmI(b -> b.tlsClientTrust(certificateOf(alice)));
        ClientOptions anonymous = ClientOptions.builder().tlsTrust(certificateOf(loopback)).build();
        ClientOptions asMallory = ClientOptions.builder().tlsTrust(certificateOf(loopback))
                .tlsKeys(mallory, PASSWORD).build();
        for (ClientOptions refused : List.of(anonymous, asMallory)) {
            assertThat(provider().connect(wss(server), refused, engine()).toCompletableFuture())
                    .failsWithin(WAIT).withThrowableThat().withMessageContaining("Could not open a WebSocket to wss://127.0.0.1")
                    .withMessageContaining("ClientOptions.tlsKeys");
            RpcSession batch = connect(server.uri(), refused);
            assertThat(batch.main().call("whoami").toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                    .withMessageContaining("ClientOptions.tlsKeys");
        }
        assertThat(server.openSessions()).isZero();
        ClientOptions asAlice = ClientOptions.builder().tlsTrust(certificateOf(loopback)).tlsKeys(alice, PASSWORD).build();
        assertThat(connect(wss(server), asAlice).main().call("whoami").join(WAIT)).isEqualTo("CN=alice,O=Clients");
    }

    @Test
    void aServerServesNewConnectionsWithTheKeyItWasUpdatedTo() throws Exception {
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        ClientOptions trustingFirst = ClientOptions.builder().tlsTrust(certificateOf(loopback)).build();
        ClientOptions trustingRenewed = ClientOptions.builder().tlsTrust(certificateOf(renewed)).build();
        RpcSession before = connect(wss(server), trustingFirst);
        assertThat(before.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);

        Path chain = pemFile("renewed.crt", "CERTIFICATE", certificate(renewed).getEncoded());
        Path key = pemFile("renewed.key", "PRIVATE KEY", privateKey(renewed).getEncoded());
        assertThat(server.updateTlsKeys(Pem.keys(chain, key)).toCompletableFuture()).succeedsWithin(WAIT);

        assertThat(connect(wss(server), trustingRenewed).main().call("add", 2, 2).join(WAIT)).isEqualTo(4L);
        assertThat(connect(server.uri(), trustingRenewed).main().call("add", 2, 3).join(WAIT)).isEqualTo(5L);
        assertThat(provider().connect(wss(server), trustingFirst, engine()).toCompletableFuture())
                .as("a new connection gets the new certificate").failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("the TLS handshake failed");
        assertThat(before.main().call("add", 3, 3).join(WAIT)).as("an open session keeps its connection").isEqualTo(6L);

        // Mutual TLS keeps its client trust through the update.
        RpcServer mutual = serveWhoAmI(b -> b.tlsClientTrust(certificateOf(alice)));
        assertThat(mutual.updateTlsKeys(Pem.keys(chain, key)).toCompletableFuture()).succeedsWithin(WAIT);
        ClientOptions asAlice = ClientOptions.builder().tlsTrust(certificateOf(renewed)).tlsKeys(alice, PASSWORD).build();
        assertThat(connect(wss(mutual), asAlice).main().call("whoami").join(WAIT)).isEqualTo("CN=alice,O=Clients");
        assertThat(provider().connect(wss(mutual), trustingRenewed, engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining("ClientOptions.tlsKeys");

        RpcServer plain = startServer(b -> b);
        assertThatThrownBy(() -> plain.updateTlsKeys(Pem.keys(chain, key)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not serve TLS");
    }

    @Test
    void aClosedServerRefusesToUpdateItsKeys() throws Exception {
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        server.close();
        Path chain = pemFile("renewed.crt", "CERTIFICATE", certificate(renewed).getEncoded());
        Path key = pemFile("renewed.key", "PRIVATE KEY", privateKey(renewed).getEncoded());
        assertThat(server.updateTlsKeys(Pem.keys(chain, key)).toCompletableFuture()).failsWithin(WAIT)
                .withThrowableThat().havingCause().isInstanceOf(IllegalStateException.class)
                .withMessage(TransportText.CLOSED_SERVER_KEYS);
    }

    @Test
    void aServerMayAskForClientCertificatesWithoutRequiringThem() throws Exception {
        RpcServer server = serveWhoAmI(b -> b.tlsClientTrust(certificateOf(alice)).tlsClientCertificatesOptional());
        ClientOptions anonymous = ClientOptions.builder().tlsTrust(certificateOf(loopback)).build();
        ClientOptions asAlice = ClientOptions.builder().tlsTrust(certificateOf(loopback)).tlsKeys(alice, PASSWORD).build();
        // Mallory's certificate is not issued by anyone the server names, so it is not offered.
        ClientOptions asMallory = ClientOptions.builder().tlsTrust(certificateOf(loopback))
                .tlsKeys(mallory, PASSWORD).build();

        for (URI uri : List.of(wss(server), server.uri())) {
            assertThat(connect(uri, anonymous).main().call("whoami").join(WAIT)).as("%s", uri)
                    .isEqualTo("(no certificate)");
            assertThat(connect(uri, asMallory).main().call("whoami").join(WAIT)).as("%s", uri)
                    .isEqualTo("(no certificate)");
            assertThat(connect(uri, asAlice).main().call("whoami").join(WAIT)).as("%s", uri)
                    .isEqualTo("CN=alice,O=Clients");
        }
    }

    @Test
    void bothSidesMayTakeTheirKeysAndTrustFromPemFiles() throws Exception {
        Path serverChain = pemFile("loopback.crt", "CERTIFICATE", certificate(loopback).getEncoded());
        Path serverKey = pemFile("loopback.key", "PRIVATE KEY", privateKey(loopback).getEncoded());
        Path aliceChain = pemFile("alice.crt", "CERTIFICATE", certificate(alice).getEncoded());
        Path aliceKey = pemFile("alice.key", "PRIVATE KEY", privateKey(alice).getEncoded());
        ServerOptions options = ServerOptions.builderWithRequest(WhoAmI::new).host("127.0.0.1").port(0)
                .tls(Pem.keys(serverChain, serverKey)).tlsClientTrust(Pem.trust(aliceChain)).build();
        RpcServer server = provider().serve(options, engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        ClientOptions asAlice = ClientOptions.builder().tlsTrust(Pem.trust(serverChain))
                .tlsKeys(Pem.keys(aliceChain, aliceKey)).build();

        assertThat(connect(wss(server), asAlice).main().call("whoami").join(WAIT)).isEqualTo("CN=alice,O=Clients");
        assertThat(connect(server.uri(), asAlice).main().call("whoami").join(WAIT)).isEqualTo("CN=alice,O=Clients");
        // The trust read from the file is what decides: a server certificate it does not hold is refused.
        ClientOptions trustingAlice = ClientOptions.builder().tlsTrust(Pem.trust(aliceChain))
                .tlsKeys(Pem.keys(aliceChain, aliceKey)).build();
        assertThat(connect(server.uri(), trustingAlice).main().call("whoami").toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining("ClientOptions.tlsTrust");
    }

    @Test
    void clientTrustNeedsTheServersOwnKey() {
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).tlsClientTrust(certificateOf(alice)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tls(...)");
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).tls(loopback, PASSWORD)
                .tlsClientCertificatesOptional().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs tlsClientTrust(...)");
        assertThatThrownBy(() -> ClientOptions.builder().tlsKeys(certificateOf(alice), PASSWORD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client's private key");
    }

    private RpcServer serveWhoAmI(ThrowingCustomizer tls) throws Exception {
        ServerOptions options = tls.apply(ServerOptions.builderWithRequest(WhoAmI::new).host("127.0.0.1").port(0)
                .tls(loopback, PASSWORD)).build();
        RpcServer server = provider().serve(options, engine());
        resources.add(() -> server.close(Duration.ofSeconds(5)));
        return server;
    }

    /** Adjusts server options, where making a trust store may throw. */
    @FunctionalInterface
    private interface ThrowingCustomizer {
        ServerOptions.Builder apply(ServerOptions.Builder b) throws Exception;
    }

    private static URI wss(RpcServer server) {
        return URI.create(server.uri().toString().replaceFirst("^https", "wss"));
    }

    @Test
    void webSocketAndBatchSessionsRunOverTls() throws Exception {
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        assertThat(server.uri().getScheme()).isEqualTo("https");
        ClientOptions trusting = ClientOptions.builder().tlsTrust(certificateOf(loopback)).build();

        RpcSession webSocket = connect(URI.create(server.uri().toString().replaceFirst("^https", "wss")), trusting);
        assertThat(webSocket.main().call("add", 40, 2).join(WAIT)).isEqualTo(42L);
        RpcSession batch = connect(server.uri(), trusting);
        assertThat(batch.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        assertThat(state.mainsCreated).hasValue(2);
    }

    @Test
    void tlsSessionsGoThroughAnHttpProxyInATunnelWithTheServersNameStillChecked() throws Exception {
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        ForwardProxy proxy = ForwardProxy.http();
        resources.add(proxy);
        ClientOptions trusting = ClientOptions.builder().tlsTrust(certificateOf(loopback)).proxy(proxy.proxy()).build();

        RpcSession webSocket = connect(wss(server), trusting);
        assertThat(webSocket.main().call("add", 40, 2).join(WAIT)).isEqualTo(42L);
        RpcSession batch = connect(server.uri(), trusting);
        assertThat(batch.main().call("add", 1, 2).join(WAIT)).isEqualTo(3L);
        String tunnel = "CONNECT 127.0.0.1:" + server.uri().getPort();
        assertThat(proxy.requests()).containsExactly(tunnel, tunnel);

        // The proxy only relays: the client still checks the certificate of the server it named.
        RpcServer elsewhereServer = startServer(b -> b.tls(elsewhere, PASSWORD));
        ClientOptions trustingElsewhere = ClientOptions.builder().tlsTrust(certificateOf(elsewhere))
                .proxy(proxy.proxy()).build();
        assertThat(provider().connect(wss(elsewhereServer), trustingElsewhere, engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining("connect by a name it carries")
                .withMessageContaining("(through the HTTP proxy at 127.0.0.1:" + proxy.port() + ")");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        // The JVM's own trust store knows nothing of a certificate made a moment ago.
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        assertThat(provider().connect(URI.create(server.uri().toString().replaceFirst("^https", "wss")),
                ClientOptions.defaults(), engine()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withMessageContaining("Could not open a WebSocket to wss://127.0.0.1")
                .withMessageContaining("the TLS handshake failed").withMessageContaining("ClientOptions.tlsTrust");
        RpcSession batch = connect(server.uri(), ClientOptions.defaults());
        assertThat(batch.main().call("add", 1, 2).toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("the TLS handshake failed").withMessageContaining("ClientOptions.tlsTrust");
        assertThat(state.mainsCreated).as("no session reached the server").hasValue(0);
    }

    @Test
    void theServersNameIsCheckedAgainstItsCertificate() throws Exception {
        // Trusted, but issued to example.com, not to the address the client dialled.
        RpcServer server = startServer(b -> b.tls(elsewhere, PASSWORD));
        ClientOptions trusting = ClientOptions.builder().tlsTrust(certificateOf(elsewhere)).build();
        assertThat(provider().connect(URI.create(server.uri().toString().replaceFirst("^https", "wss")),
                trusting, engine()).toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("the TLS handshake failed").withMessageContaining("connect by a name it carries");
        RpcSession batch = connect(server.uri(), trusting);
        assertThat(batch.main().call("add", 1, 2).toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
                .withMessageContaining("the TLS handshake failed").withMessageContaining("connect by a name it carries");
        assertThat(state.mainsCreated).as("no session reached the server").hasValue(0);
    }

    @Test
    void aPlainClientGetsNoSessionFromATlsServer() {
        RpcServer server = startServer(b -> b.tls(loopback, PASSWORD));
        URI plain = URI.create(server.uri().toString().replaceFirst("^https", "ws"));
        assertThat(provider().connect(plain, ClientOptions.defaults(), engine()).toCompletableFuture())
                .failsWithin(WAIT);
        assertThat(state.mainsCreated).hasValue(0);
    }

    @Test
    void aWrongKeyPasswordIsRefusedWhenTheOptionsAreBuilt() {
        assertThatThrownBy(() -> ServerOptions.builder(Object::new).tls(loopback, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Could not read the server's TLS key from the key store: ")
                .hasMessageEndingWith("Check that the password is the key's.");
    }

    /** A PKCS12 key store with one key pair, made by keytool. */
    private static KeyStore keyStore(String name, String subject, String alternativeNames)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path file = keys.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", subject, "-ext", alternativeNames, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", new String(PASSWORD)))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool could not make a test key: " + output);
        }
        return KeyStore.getInstance(file.toFile(), PASSWORD);
    }

    private static X509Certificate certificate(KeyStore keyStore) throws GeneralSecurityException {
        return (X509Certificate) keyStore.getCertificate(keyStore.aliases().nextElement());
    }

    private static Key privateKey(KeyStore keyStore) throws GeneralSecurityException {
        return keyStore.getKey(keyStore.aliases().nextElement(), PASSWORD);
    }

    /** Writes one PEM block, as OpenSSL would, to a file among the test keys. */
    private static Path pemFile(String name, String type, byte[] der) throws IOException {
        return Files.writeString(keys.resolve(name), "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n");
    }

    /**
     * @param keyStore a key store of one key
     * @return a trust store holding only the certificate of that key
     */
    protected static KeyStore certificateOf(KeyStore keyStore) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(keyStore.aliases().nextElement(), certificate(keyStore));
        return trust;
    }
}
