package io.berth.storage;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The key that signs upload state when {@code http.secret} is not set: made once and kept in
 * storage, so that restarts and every replica over the same root use the same one.
 */
public final class StoredSecret {

    private StoredSecret() {}

    /**
     * The stored key, made and stored first when there is none (unless {@code mayWrite} is false:
     * then null). Stored as 64 hex digits, the bytes of which are the key, so that an operator
     * may copy it into {@code http.secret} and keep every link valid.
     */
    public static byte[] loadOrCreate(StorageDriver driver, boolean mayWrite) throws IOException {
        String path = Paths.of(new Paths.HttpSecret());
        byte[] stored = read(driver, path);
        if (stored != null || !mayWrite) {
            return stored;
        }
        propose(driver);
        stored = read(driver, path);
        if (stored == null) {
            throw new IOException("the upload-state key could not be stored at " + path);
        }
        return stored;
    }

    /**
     * Writes a new key in a folder of its own and moves the folder into place. A move refuses to
     * replace a folder that holds anything, so when replicas start together the first to move wins
     * and the others read its key (on S3, which cannot move atomically, nearly always).
     */
    private static void propose(StorageDriver driver) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String candidate = Paths.of(new Paths.HttpSecretCandidate(UUID.randomUUID()));
        driver.putContent(candidate + "/key", HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII));
        try {
            driver.move(candidate, Paths.of(new Paths.HttpSecretDir()));
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
