package capnweb.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Keys and certificates read from PEM files, the text files that OpenSSL, cert-manager and
 * Let's Encrypt write, for the TLS options that take key or trust managers:
 *
 * <pre>{@code
 * ServerOptions.builder(Api::new).port(8443)
 *         .tls(Pem.keys(Path.of("tls.crt"), Path.of("tls.key")))
 *         .tlsClientTrust(Pem.trust(Path.of("clients-ca.crt")))   // for mutual TLS
 *         .build();
 * ClientOptions.builder().tlsTrust(Pem.trust(Path.of("ca.crt"))).build();
 * }</pre>
 *
 * <p>A private key may be PKCS #8 ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE
 * KEY} with its password), PKCS #1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 ({@code BEGIN EC
 * PRIVATE KEY}), of the RSA, EC or EdDSA algorithms. Other blocks and text around the blocks are
 * skipped, so one file may hold both the chain and the key. Files are read when these methods are
 * called; a renewed certificate needs new options.
 */
public final class Pem {
    /** One {@code -----BEGIN type-----} to {@code -----END type-----} block. */
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final Set<String> KEY_TYPES = Set.of(
            "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");
    /** The DER of the algorithm identifiers a PKCS #1 or SEC 1 key is wrapped in, to make it PKCS #8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    /** Protects the key in the in-memory key store only; it never leaves this class. */
    private static final char[] STORE_PASSWORD = "pem".toCharArray();

    private Pem() {
    }

    /**
     * Reads one side's private key and certificate chain, for {@code ServerOptions.Builder.tls}
     * or {@code ClientOptions.Builder.tlsKeys}.
     *
     * @param certificateChain a PEM file of certificates, this side's own first, then each
     *     issuer's (as {@code fullchain.pem} or a {@code tls.crt} holds them)
     * @param privateKey a PEM file of the private key of the first certificate, not encrypted
     * @return key managers of that key and chain
     * @throws UncheckedIOException if a file cannot be read
     * @throws IllegalArgumentException if a file holds no certificate or no private key, the key
     *     is encrypted, or the key does not belong to the first certificate
     */
    public static KeyManagerFactory keys(Path certificateChain, Path privateKey) {
        return keys(certificateChain, privateKey, null);
    }

    /**
     * Reads one side's private key, which may be encrypted ({@code BEGIN ENCRYPTED PRIVATE KEY}),
     * and its certificate chain.
     *
     * @param certificateChain a PEM file of certificates, this side's own first
     * @param privateKey a PEM file of the private key of the first certificate
     * @param password the password of an encrypted key, or null if it is not encrypted
     * @return key managers of that key and chain
     * @throws UncheckedIOException if a file cannot be read
     * @throws IllegalArgumentException as {@link #keys(Path, Path)}, or if the password does not
     *     decrypt the key
     */
    public static KeyManagerFactory keys(Path certificateChain, Path privateKey, char[] password) {
        List<X509Certificate> chain = certificates(certificateChain,
                "the certificate chain, this side's own certificate first");
        PrivateKey key = privateKey(privateKey, password, chain.get(0), certificateChain);
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("Could not use the private key in " + privateKey + " with the chain in "
                    + certificateChain + ": " + e.getMessage() + ".", e);
        }
        return KeyStores.keys(store, STORE_PASSWORD, "PEM file's");
    }

    /**
     * Reads certificates to trust, for {@code ClientOptions.Builder.tlsTrust} (the server's
     * certificate or its authority's) or {@code ServerOptions.Builder.tlsClientTrust} (the
     * clients' or their authority's).
     *
     * @param certificates a PEM file of one or more certificates, such as a {@code ca.crt}
     * @return trust managers that trust those certificates
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if the file holds no certificate, or one that cannot be read
     */
    public static TrustManagerFactory trust(Path certificates) {
        List<X509Certificate> trusted = certificates(certificates, "the certificates to trust, such as an authority's");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("trusted-" + i, trusted.get(i));
            }
            return KeyStores.trust(store, "certificates");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("Could not trust the certificates in " + certificates + ": "
                    + e.getMessage() + ".", e);
        }
    }

    private record Block(String type, List<String> headers, byte[] der) {
    }

    private static List<Block> blocks(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            // Latin-1 reads any bytes; the blocks themselves are ASCII.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the PEM file " + file + " (" + e + ").", e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            List<String> headers = new ArrayList<>();
            StringBuilder base64 = new StringBuilder();
            for (String line : m.group(2).split("\r?\n|\r")) {
                if (line.indexOf(':') >= 0) {
                    headers.add(line.trim()); // RFC 1421 headers, as "Proc-Type: 4,ENCRYPTED"
                } else {
                    base64.append(line.trim());
                }
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(base64.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("The " + m.group(1) + " block in " + file
                        + " is not valid base64 (" + e.getMessage() + "); check that the file was copied whole.", e);
            }
            blocks.add(new Block(m.group(1), headers, der));
        }
        return blocks;
    }

    /** What a file holds, for errors: "it holds CERTIFICATE" or "it holds no PEM block". */
    private static String holds(List<Block> blocks) {
        Set<String> types = new LinkedHashSet<>();
        blocks.forEach(b -> types.add(b.type()));
        return types.isEmpty() ? "it holds no PEM block" : "it holds " + String.join(", ", types);
    }

    private static List<X509Certificate> certificates(Path file, String whatToGive) {
        List<Block> blocks = blocks(file);
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("This JVM cannot read X.509 certificates.", e);
        }
        for (Block block : blocks) {
            if (!block.type().equals("CERTIFICATE")) {
                continue;
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new IllegalArgumentException("Certificate " + (certificates.size() + 1) + " in " + file
                        + " cannot be read: " + e.getMessage() + ".", e);
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("The file " + file + " holds no certificate (-----BEGIN CERTIFICATE-----); "
                    + holds(blocks) + ". Give " + whatToGive + ".");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path file, char[] password, X509Certificate certificate, Path chainFile) {
        List<Block> keys = new ArrayList<>();
        List<Block> blocks = blocks(file);
        for (Block block : blocks) {
            if (KEY_TYPES.contains(block.type())) {
                keys.add(block);
            }
        }
        if (keys.size() != 1) {
            throw new IllegalArgumentException("The file " + file + " holds " + (keys.isEmpty() ? "no" : keys.size())
                    + " private keys; " + holds(blocks) + ". Give the one private key of the certificate (-----BEGIN"
                    + " PRIVATE KEY-----, or RSA PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY).");
        }
        byte[] pkcs8 = pkcs8(keys.get(0), password, file);
        String algorithm = certificate.getPublicKey().getAlgorithm();
        String subject = certificate.getSubjectX500Principal().getName();
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("The private key in " + file + " is not the " + algorithm
                    + " key of the first certificate in " + chainFile + " (" + subject + "): " + e.getMessage()
                    + ". The chain must start with the certificate of this key.", e);
        }
        if (!signsFor(key, certificate)) {
            throw new IllegalArgumentException("The private key in " + file + " does not belong to the first certificate in "
                    + chainFile + " (" + subject + "). The chain must start with the certificate of this key.");
        }
        return key;
    }

    /** The key as PKCS #8 DER, decrypted or wrapped as its block needs. */
    private static byte[] pkcs8(Block key, char[] password, Path file) {
        boolean legacyEncrypted = key.headers().stream().anyMatch(h -> h.toUpperCase(Locale.ROOT).startsWith("PROC-TYPE")
                && h.toUpperCase(Locale.ROOT).contains("ENCRYPTED"));
        if (legacyEncrypted) {
            throw new IllegalArgumentException("The private key in " + file + " is encrypted in OpenSSL's legacy format ("
                    + key.type() + " with a Proc-Type header), which Java cannot read. Convert it to PKCS #8: "
                    + "openssl pkcs8 -topk8 -in " + file + " -out key.pem (it asks for the old password and a new one).");
        }
        try {
            switch (key.type()) {
                case "PRIVATE KEY":
                    return key.der();
                case "ENCRYPTED PRIVATE KEY":
                    return decrypt(key.der(), password, file);
                case "RSA PRIVATE KEY":
                    return Der.sequence(Der.INTEGER_ZERO, RSA_ALGORITHM, Der.octetString(key.der()));
                default: // "EC PRIVATE KEY"
                    byte[] curve = Der.sec1Curve(key.der());
                    return Der.sequence(Der.INTEGER_ZERO, Der.sequence(EC_PUBLIC_KEY_OID, curve),
                            Der.octetString(key.der()));
            }
        } catch (Der.Malformed e) {
            throw new IllegalArgumentException("The " + key.type() + " block in " + file + " is not a valid key: "
                    + e.getMessage() + ".", e);
        }
    }

    private static byte[] decrypt(byte[] der, char[] password, Path file) {
        if (password == null) {
            throw new IllegalArgumentException("The private key in " + file + " is encrypted; give its password to "
                    + "Pem.keys(certificateChain, privateKey, password).");
        }
        EncryptedPrivateKeyInfo info;
        try {
            info = new EncryptedPrivateKeyInfo(der);
        } catch (IOException e) {
            throw new IllegalArgumentException("The ENCRYPTED PRIVATE KEY block in " + file + " is not a valid key: "
                    + e.getMessage() + ".", e);
        }
        try {
            String algorithm = info.getAlgName();
            if (algorithm.equals("PBES2") || algorithm.equals("1.2.840.113549.1.5.13")) {
                // Older JDKs name only the scheme; its parameters name the digest and cipher,
                // as "PBEWithHmacSHA256AndAES_256".
                algorithm = info.getAlgParameters().toString();
            }
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE,
                    SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password)),
                    info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Could not decrypt the private key in " + file + " (" + e.getMessage()
                    + "). Check that the password is the key's, and that its cipher is one Java has "
                    + "(openssl pkcs8 -topk8 -v2 aes-256-cbc writes one).", e);
        }
    }

    /** Whether a signature made with {@code key} verifies with the certificate's public key. */
    private static boolean signsFor(PrivateKey key, X509Certificate certificate) {
        String signature;
        switch (key.getAlgorithm()) {
            case "RSA":
                signature = "SHA256withRSA";
                break;
            case "EC":
                signature = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                signature = key.getAlgorithm();
                break;
            default:
                return true; // RSASSA-PSS and others: left to the handshake
        }
        try {
            byte[] probe = "capnweb key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(signature);
            signer.initSign(key);
            signer.update(probe);
            byte[] signed = signer.sign();
            Signature verifier = Signature.getInstance(signature);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signed);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Just enough DER to wrap a PKCS #1 or SEC 1 key as PKCS #8. */
    static final class Der {
        static final byte[] INTEGER_ZERO = {0x02, 0x01, 0x00};

        private Der() {
        }

        static final class Malformed extends Exception {
            private static final long serialVersionUID = 1L;

            Malformed(String message) {
                super(message);
            }
        }

        static byte[] sequence(byte[]... parts) {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            for (byte[] part : parts) {
                content.writeBytes(part);
            }
            return tlv(0x30, content.toByteArray());
        }

        static byte[] octetString(byte[] content) {
            return tlv(0x04, content);
        }

        static byte[] tlv(int tag, byte[] content) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
            out.write(tag);
            int length = content.length;
            if (length < 0x80) {
                out.write(length);
            } else {
                int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
                out.write(0x80 | bytes);
                for (int i = bytes - 1; i >= 0; i--) {
                    out.write(length >>> (8 * i));
                }
            }
            out.writeBytes(content);
            return out.toByteArray();
        }

        /**
         * @param sec1 an ECPrivateKey (RFC 5915): version, key, [0] parameters, [1] public key
         * @return the named curve's OBJECT IDENTIFIER, whole, from its parameters
         */
        static byte[] sec1Curve(byte[] sec1) throws Malformed {
            int[] outer = header(sec1, 0, sec1.length);
            if (sec1[0] != 0x30) {
                throw new Malformed("an EC PRIVATE KEY must be a DER SEQUENCE");
            }
            int at = outer[0];
            int end = outer[0] + outer[1];
            while (at < end) {
                int tag = sec1[at] & 0xff;
                int[] element = header(sec1, at, end);
                if (tag == 0xa0) {
                    int[] inner = header(sec1, element[0], element[0] + element[1]);
                    if (sec1[element[0]] != 0x06) {
                        throw new Malformed("its curve is given by explicit parameters; Java takes named curves only "
                                + "(openssl ec -param_enc named_curve writes one)");
                    }
                    byte[] oid = new byte[inner[0] + inner[1] - element[0]];
                    System.arraycopy(sec1, element[0], oid, 0, oid.length);
                    return oid;
                }
                at = element[0] + element[1];
            }
            throw new Malformed("it does not name its curve; write it with its parameters "
                    + "(openssl pkcs8 -topk8 -nocrypt, as PKCS #8)");
        }

        /**
         * @return the offset of the content of the element at {@code at}, and its length
         */
        private static int[] header(byte[] der, int at, int end) throws Malformed {
            if (at + 2 > end) {
                throw new Malformed("it ends within an element");
            }
            int first = der[at + 1] & 0xff;
            int offset = at + 2;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 3 || offset + bytes > end) {
                    throw new Malformed("an element's length is not valid DER");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[offset++] & 0xff);
                }
            }
            if (offset + length > end) {
                throw new Malformed("an element is longer than what holds it");
            }
            return new int[] {offset, (int) length};
        }
    }
}
