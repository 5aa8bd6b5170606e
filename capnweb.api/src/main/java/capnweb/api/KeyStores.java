package capnweb.api;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** What the TLS options check of a key store, and the key and trust managers they make of it. */
final class KeyStores {
    /** A kind of entry, e.g. {@code KeyStore::isKeyEntry}. */
    @FunctionalInterface
    interface EntryKind {
        boolean of(KeyStore keyStore, String alias) throws KeyStoreException;
    }

    private KeyStores() {
    }

    /**
     * @return whether {@code keyStore} holds an entry of that kind
     * @throws IllegalArgumentException if the key store was not loaded
     */
    static boolean holdsAny(KeyStore keyStore, EntryKind kind) {
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                if (kind.of(keyStore, alias)) {
                    return true;
                }
            }
            return false;
        } catch (KeyStoreException e) {
            throw new IllegalArgumentException("Could not read the key store: " + e.getMessage()
                    + ". Load it (KeyStore.load or KeyStore.getInstance(file, password)) before passing it.", e);
        }
    }

    /**
     * @param keyStore holds one side's private key and certificate chain
     * @param password the key's password
     * @param whose whose key it is, for the errors: "server's" or "client's"
     * @return key managers of that key
     * @throws IllegalArgumentException if the key store holds no private key, or the password
     *     does not open it
     */
    static KeyManagerFactory keys(KeyStore keyStore, char[] password, String whose) {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(password, "password");
        if (!holdsAny(keyStore, KeyStore::isKeyEntry)) {
            throw new IllegalArgumentException("The key store holds no private key; TLS needs the " + whose
                    + " private key and its certificate chain (keytool -genkeypair, or openssl pkcs12 -export).");
        }
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, password);
            return keys;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Could not read the " + whose + " TLS key from the key store: "
                    + e.getMessage() + ". Check that the password is the key's.", e);
        }
    }

    /**
     * @param certificates a key store of trusted certificates
     * @param whatToAdd what an empty store lacks, for the error: "the server's certificate or its authority's"
     * @return trust managers that trust those certificates
     * @throws IllegalArgumentException if the key store holds no certificate or cannot be read
     */
    static TrustManagerFactory trust(KeyStore certificates, String whatToAdd) {
        Objects.requireNonNull(certificates, "certificates");
        if (!holdsAny(certificates, KeyStore::isCertificateEntry)) {
            throw new IllegalArgumentException("The key store holds no trusted certificate; add " + whatToAdd
                    + " (keytool -importcert).");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(certificates);
            return trust;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Could not read the trusted certificates from the key store: "
                    + e.getMessage() + ".", e);
        }
    }
}
