package io.berth.storage;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Keys Berth makes itself when the configuration names none: made once and kept in storage, so
 * that restarts and every replica over the same root use the same one.
 */
public final class StoredSecret {

    /** The keys kept so, each in a folder of its own under {@code _berth/}. */
    public enum Kind {
        /** Signs upload state when {@code http.secret} is not set. */
        HTTP_SECRET("httpsecret"),
        /** Signs the built-in token server's tokens when {@code auth.tokenserver.key} is not set. */
        TOKEN_KEY("tokenkey");

        private final String folder;

        Kind(String folder) {
            this.folder = folder;
        }

        String folder() {
            return folder;
        }
    }

    private StoredSecret() {}

    /**
     * The stored upload-state key, made and stored first when there is none (unless {@code mayWrite}
     * is false: then null). Stored as 64 hex digits, the bytes of which are the key, so that an
     * operator may copy it into {@code http.secret} and keep every link valid.
     */
    public static byte[] loadOrCreate(StorageDriver driver, boolean mayWrite) throws IOException {
        return loadOrCreate(driver, Kind.HTTP_SECRET, mayWrite, () -> {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
        });
    }

    /** The stored key of this kind; when there is none and {@code mayWrite}, one {@code make} makes is stored first. */
    public static byte[] loadOrCreate(StorageDriver driver, Kind kind, boolean mayWrite, Supplier<byte[]> make) throws IOException {
        String path = Paths.of(new Paths.Secret(kind));
        byte[] stored = read(driver, path);
        if (stored != null || !mayWrite) {
            return stored;
        }
        propose(driver, kind, make.get());
        stored = read(driver, path);
        if (stored == null) {
            throw new IOException("the key could not be stored at " + path);
        }
        return stored;
    }

    /**
     * Writes a new key in a folder of its own and moves the folder into place. A move refuses to
     * replace a folder that holds anything, so when replicas start together the first to move wins
     * and the others read its key (on S3, which cannot move atomically, nearly always).
     */
    private static void propose(StorageDriver driver, Kind kind, byte[] key) throws IOException {
        String candidate = Paths.of(new Paths.SecretCandidate(kind, UUID.randomUUID()));
        driver.putContent(candidate + "/key", key);
        try {
            driver.move(candidate, Paths.of(new Paths.SecretDir(kind)));
        } catch (IOException lost) {
            driver.delete(candidate); // another replica's key is in place: ours goes
        }
    }

    private static byte[] read(StorageDriver driver, String path) throws IOException {
        try {
            byte[] content = driver.getContent(path);
            return content.length == 0 ? null : content;
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        }
    }
}
