package capnweb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import capnweb.api.CapnWeb;
import capnweb.api.ClientOptions;
import capnweb.api.RpcServer;
import capnweb.api.RpcSession;
import capnweb.api.RpcStub;
import capnweb.api.RpcTarget;
import capnweb.api.ServerOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cap'n Web over TLS with the reference on the other end: the reference client runs every case
 * against the Java server over wss: and https: on both transports, and the Java client calls the
 * reference server over both; with mutual TLS the reference client's WebSocket presents its
 * certificate to the Java server's factory. The keys and certificates are made for each run by
 * keytool; Node trusts the certificate through NODE_EXTRA_CA_CERTS, Java through
 * ClientOptions.tlsTrust.
 */
class TlsInteropTest {
    private static final String PASSWORD = "capnweb-interop";
    private static final List<String> TRANSPORTS = List.of("jetty", "vertx");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static Path pkcs12;
    private static Path certificatePem;
    private static KeyStore keys;
    private static KeyStore trusted;

    @BeforeAll
    static void makeKeys() throws Exception {
        pkcs12 = dir.resolve("server.p12");
        certificatePem = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", pkcs12.toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", pkcs12.toString(), "-storepass", PASSWORD,
                "-file", certificatePem.toString());
        keys = KeyStore.getInstance(pkcs12.toFile(), PASSWORD.toCharArray());
        trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", keys.getCertificate("server"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void referenceClientPassesEveryCaseAgainstTheJavaServerOverTls() {
        Map<String, String> trustOurCertificate = Map.of("NODE_EXTRA_CA_CERTS", certificatePem.toString());
        for (String transport : TRANSPORTS) {
            RpcServer server = TestServer.start(0, transport, b -> b.tls(keys, PASSWORD.toCharArray()));
            try {
                assertThat(server.uri().getScheme()).isEqualTo("https");
                for (String scheme : List.of("wss", "https")) {
                    String url = scheme + "://127.0.0.1:" + server.port() + "/rpc";
                    Node.Result result = Node.run(Duration.ofMinutes(3), trustOurCertificate, "client.mjs", url);
                    List<String> failures = result.lines().stream().filter(l -> !l.contains("\"pass\":true"))
                            .collect(Collectors.toList());
                    assertThat(failures).as("%s %s failed cases (stderr: %s)", transport, scheme, result.stderr())
                            .isEmpty();
                    assertThat(result.lines()).as("%s %s cases run", transport, scheme).hasSizeGreaterThan(100);
                    assertThat(result.exitCode()).isZero();
                }
            } finally {
                server.close(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void referenceClientPresentsItsCertificateToAJavaServerOverMutualTls() throws Exception {
        Path clientPkcs12 = dir.resolve("client.p12");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=node-client,O=Interop", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", clientPkcs12.toString(), "-storepass", PASSWORD);
        KeyStore client = KeyStore.getInstance(clientPkcs12.toFile(), PASSWORD.toCharArray());
        KeyStore clientTrust = KeyStore.getInstance("PKCS12");
        clientTrust.load(null, null);
        clientTrust.setCertificateEntry("client", client.getCertificate("client"));
        // Node reads PEM: the certificate, and the private key as PKCS #8.
        Path clientCertificate = dir.resolve("client.pem");
        Path clientKey = dir.resolve("client-key.pem");
        Files.writeString(clientCertificate, pem("CERTIFICATE", client.getCertificate("client").getEncoded()));
        Files.writeString(clientKey, pem("PRIVATE KEY",
                client.getKey("client", PASSWORD.toCharArray()).getEncoded()));
        Map<String, String> withCertificate = Map.of("NODE_EXTRA_CA_CERTS", certificatePem.toString(),
                "CLIENT_CERT", clientCertificate.toString(), "CLIENT_KEY", clientKey.toString());
        Map<String, String> without = Map.of("NODE_EXTRA_CA_CERTS", certificatePem.toString());

        for (String transport : TRANSPORTS) {
            RpcServer server = CapnWeb.serve(ServerOptions.builderWithRequest(request -> new CertificateEcho(
                    request.peerCertificates().get(0).getSubjectX500Principal().getName()))
                    .host("127.0.0.1").port(0).transport(transport)
                    .tls(keys, PASSWORD.toCharArray()).tlsClientTrust(clientTrust).build());
            try {
                String url = "wss://127.0.0.1:" + server.port() + "/rpc";
                assertThat(signedIn(withCertificate, url)).as(transport)
                        .isEqualTo("{\"result\":\"CN=node-client,O=Interop\"}");
                assertThat(signedIn(without, url)).as(transport).startsWith("{\"error\":");
                assertThat(signedIn(withCertificate, "https://127.0.0.1:" + server.port() + "/rpc"))
                        .as("%s: Node's fetch presents no client certificate", transport).startsWith("{\"error\":");
            } finally {
                server.close(Duration.ofSeconds(10));
            }
        }
    }

    /** The main object of a mutual TLS session: says whose certificate opened it. */
    public static final class CertificateEcho implements RpcTarget {
        private final String subject;

        CertificateEcho(String subject) {
            this.subject = subject;
        }

        public String whoami() {
            return subject;
        }
    }

    private static String signedIn(Map<String, String> environment, String url) {
        Node.Result result = Node.run(Duration.ofSeconds(30), environment, "signed-in.mjs", url);
        assertThat(result.lines()).as("stderr: %s", result.stderr()).hasSize(1);
        return result.lines().get(0);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void javaClientCallsTheReferenceServerOverTls() {
        ProcessBuilder node = new ProcessBuilder("node", "server.mjs", "0").directory(Node.dir().toFile());
        node.environment().put("TLS_PFX", pkcs12.toString());
        node.environment().put("TLS_PASSPHRASE", PASSWORD);
        try (Node.ReadyProcess server = Node.startServer(node, Duration.ofSeconds(30))) {
            assertThat(server.readyLine()).startsWith("READY https://");
            for (String transport : TRANSPORTS) {
                ClientOptions options = ClientOptions.builder().transport(transport).tlsTrust(trusted).build();
                try (RpcSession ws = CapnWeb.connect(URI.create("wss://127.0.0.1:" + server.port() + "/rpc"), options)) {
                    RpcStub counter = ws.main().call("makeCounter", 10);
                    counter.call("increment", 5);
                    assertThat(number(counter.call("increment", 1).join(WAIT))).as(transport + " wss").isEqualTo(16.0);
                    assertThat(number(ws.main().call("square", 7).join(WAIT))).isEqualTo(49.0);
                }
                try (RpcSession batch = CapnWeb.connect(URI.create("https://127.0.0.1:" + server.port() + "/rpc"),
                        options)) {
                    assertThat(number(batch.main().call("square", 9).join(WAIT))).as(transport + " https").isEqualTo(81.0);
                }
            }
        }
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }
}
