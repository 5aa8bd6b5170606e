package capnweb.api;

import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;

/** What the TLS options check of a key store before they use it. */
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
}
