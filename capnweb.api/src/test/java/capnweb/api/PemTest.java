package capnweb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys and certificates from the PEM files in {@code pem/}, which {@code pem/make.sh} made with OpenSSL. */
class PemTest {
    @TempDir
    Path dir;

    private static Path file(String name) {
        try {
            return Path.of(PemTest.class.getResource("pem/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509KeyManager keyManager(KeyManagerFactory keys) {
        return (X509KeyManager) Arrays.stream(keys.getKeyManagers()).filter(X509KeyManager.class::isInstance)
                .findFirst().orElseThrow();
    }

    private static PrivateKey keyOf(KeyManagerFactory keys) {
        return keyManager(keys).getPrivateKey("key");
    }

    @Test
    void anRsaKeyReadsAlikeAsPkcs1AsPkcs8AndEncrypted() {
        KeyManagerFactory pkcs1 = Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs1.key"));
        KeyManagerFactory pkcs8 = Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs8.key"));
        KeyManagerFactory encrypted = Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs8-encrypted.key"),
                "secret".toCharArray());

        assertThat(keyOf(pkcs1).getAlgorithm()).isEqualTo("RSA");
        assertThat(keyOf(pkcs1).getEncoded()).isEqualTo(keyOf(pkcs8).getEncoded()).isEqualTo(keyOf(encrypted).getEncoded());
        X509Certificate[] chain = keyManager(pkcs1).getCertificateChain("key");
        assertThat(chain).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("O=RSA,CN=127.0.0.1", "CN=Test Authority");
    }

    @ParameterizedTest
    @CsvSource({
        "rsa-chain.crt, rsa-pkcs1.key, ca.crt, 'O=RSA,CN=127.0.0.1'",
        "ec.crt, ec-sec1.key, ec.crt, 'O=EC,CN=127.0.0.1'",
        "ed25519.crt, ed25519.key, ed25519.crt, 'O=Ed25519,CN=127.0.0.1'",
    })
    void keysAndTrustFromPemFilesServeATlsHandshake(String chain, String key, String trusted, String subject)
            throws Exception {
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(Pem.keys(file(chain), file(key)).getKeyManagers(), null, null);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, Pem.trust(file(trusted)).getTrustManagers(), null);

        try (SSLServerSocket listening = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listening.accept();
                        InputStream in = accepted.getInputStream();
                        OutputStream out = accepted.getOutputStream()) {
                    int read = in.read();
                    out.write(read + 1);
                    out.flush();
                    return read;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
                socket.getOutputStream().write(41);
                socket.getOutputStream().flush();
                assertThat(socket.getInputStream().read()).isEqualTo(42);
                X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                assertThat(peer.getSubjectX500Principal().getName()).isEqualTo(subject);
            }
            assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo(41);
        }
    }

    @Test
    void oneFileMayHoldTheChainAndTheKeyWithTextAroundThem() throws Exception {
        Path both = dir.resolve("both.pem");
        Files.writeString(both, "Bag Attributes\n    friendlyName: rsa\n" + Files.readString(file("rsa-chain.crt"))
                + "\nsome words between blocks\n" + Files.readString(file("rsa-pkcs8.key")));

        KeyManagerFactory keys = Pem.keys(both, both);

        assertThat(keyOf(keys).getEncoded()).isEqualTo(keyOf(Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs8.key")))
                .getEncoded());
        assertThat(keyManager(keys).getCertificateChain("key")).hasSize(2);
    }

    @Test
    void aKeyThatIsNotTheFirstCertificatesIsRefused() {
        assertThatThrownBy(() -> Pem.keys(file("ec.crt"), file("ec-other.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The private key in " + file("ec-other.key") + " does not belong to the first certificate in "
                        + file("ec.crt") + " (O=EC,CN=127.0.0.1). The chain must start with the certificate of this key.");
        assertThatThrownBy(() -> Pem.keys(file("rsa-chain.crt"), file("ec-sec1.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The private key in " + file("ec-sec1.key") + " is not the RSA key of the first"
                        + " certificate in " + file("rsa-chain.crt") + " (O=RSA,CN=127.0.0.1)")
                .hasMessageEndingWith("The chain must start with the certificate of this key.");
        // The authority's certificate last in the chain is not the key's either.
        assertThatThrownBy(() -> Pem.keys(file("ca.crt"), file("rsa-pkcs1.key")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the EC key");
    }

    @Test
    void anEncryptedKeyNeedsItsPasswordAndALegacyOneAConversion() {
        assertThatThrownBy(() -> Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs8-encrypted.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The private key in " + file("rsa-pkcs8-encrypted.key") + " is encrypted; give its password"
                        + " to Pem.keys(certificateChain, privateKey, password).");
        assertThatThrownBy(() -> Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs8-encrypted.key"), "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Could not decrypt the private key in " + file("rsa-pkcs8-encrypted.key"))
                .hasMessageContaining("Check that the password is the key's");
        assertThatThrownBy(() -> Pem.keys(file("rsa-chain.crt"), file("rsa-pkcs1-encrypted.key"), "secret".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is encrypted in OpenSSL's legacy format (RSA PRIVATE KEY with a Proc-Type header)")
                .hasMessageContaining("openssl pkcs8 -topk8 -in " + file("rsa-pkcs1-encrypted.key"));
    }

    @Test
    void anEcKeyMustNameItsCurve() throws Exception {
        assertThatThrownBy(() -> Pem.keys(file("ec.crt"), file("ec-explicit.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a valid key: its curve is given by explicit parameters");
        // SEC 1 without parameters: version 1 and a 32-byte key only.
        byte[] bare = new byte[39];
        bare[0] = 0x30;
        bare[1] = 37;
        bare[2] = 0x02;
        bare[3] = 1;
        bare[4] = 1;
        bare[5] = 0x04;
        bare[6] = 32;
        Path key = dir.resolve("bare.key");
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(bare)
                + "\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.keys(file("ec.crt"), key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a valid key: it does not name its curve");
        // A length that runs past the end of the key.
        bare[1] = 90;
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(bare)
                + "\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.keys(file("ec.crt"), key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a valid key: an element is longer than what holds it");
    }

    @Test
    void filesWithoutWhatTheyShouldHoldAreRefusedSayingWhatTheyHold() throws Exception {
        assertThatThrownBy(() -> Pem.keys(file("rsa-pkcs8.key"), file("rsa-pkcs8.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The file " + file("rsa-pkcs8.key") + " holds no certificate (-----BEGIN CERTIFICATE-----);"
                        + " it holds PRIVATE KEY. Give the certificate chain, this side's own certificate first.");
        assertThatThrownBy(() -> Pem.keys(file("ec.crt"), file("ec.crt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The file " + file("ec.crt") + " holds no private keys; it holds CERTIFICATE.");
        Path two = dir.resolve("two.key");
        Files.writeString(two, Files.readString(file("ec-sec1.key")) + Files.readString(file("ec-other.key")));
        assertThatThrownBy(() -> Pem.keys(file("ec.crt"), two))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The file " + two + " holds 2 private keys; it holds EC PARAMETERS, EC PRIVATE KEY,"
                        + " PRIVATE KEY.");
        Path empty = Files.writeString(dir.resolve("empty.crt"), "not PEM at all\n");
        assertThatThrownBy(() -> Pem.trust(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The file " + empty + " holds no certificate (-----BEGIN CERTIFICATE-----); it holds no PEM"
                        + " block. Give the certificates to trust, such as an authority's.");
        Path damaged = dir.resolve("damaged.crt");
        Files.writeString(damaged, Files.readString(file("ca.crt")).replaceFirst("\n[A-Za-z0-9+/]{10}", "\n!!!!!!!!!!"));
        assertThatThrownBy(() -> Pem.trust(damaged))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The CERTIFICATE block in " + damaged + " is not valid base64")
                .hasMessageEndingWith("check that the file was copied whole.");
        Path missing = dir.resolve("missing.crt");
        assertThatThrownBy(() -> Pem.trust(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("Could not read the PEM file " + missing + " (java.nio.file.NoSuchFileException");
    }

    @Test
    void trustTakesEveryCertificateOfABundle() throws Exception {
        Path bundle = dir.resolve("bundle.crt");
        Files.writeString(bundle, Files.readString(file("ca.crt")) + Files.readString(file("ec.crt")));

        TrustManagerFactory trust = Pem.trust(bundle);

        X509TrustManager manager = (X509TrustManager) Arrays.stream(trust.getTrustManagers())
                .filter(X509TrustManager.class::isInstance).findFirst().orElseThrow();
        assertThat(manager.getAcceptedIssuers()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactlyInAnyOrder("CN=Test Authority", "O=EC,CN=127.0.0.1");
    }
}
