package io.berth.storage;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

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
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        driver.putContent(path, HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII));
        // Replicas starting together may each write one: the last write stands, and reading it back
        // makes every replica that reads after it use that one.
        return read(driver, path);
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
