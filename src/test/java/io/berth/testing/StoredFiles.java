package io.berth.testing;

import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a registry stored, read through a storage driver of its own over the same storage, so that a
 * test asserts Distribution's layout the same way on the filesystem and on S3. Paths are relative to
 * the storage root, as in {@code docker/registry/v2/blobs/...}.
 */
public final class StoredFiles implements AutoCloseable {

    private final StorageDriver driver;

    public StoredFiles(StorageDriver driver) {
        this.driver = CheckedStorageDriver.wrap(driver);
    }

    /** Every file below a folder ("" for everything), relative to the root, parents first; none when it does not exist. */
    public List<String> under(String folder) throws IOException {
        List<String> files = new ArrayList<>();
        try {
            driver.walk("/" + folder, info -> {
                if (!info.isDirectory()) {
                    files.add(info.path().substring(1));
                }
            });
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
        return files;
    }

    public boolean exists(String path) throws IOException {
        try {
            driver.stat("/" + path);
            return true;
        } catch (StorageDriverException.PathNotFound e) {
            return false;
        }
    }

    public byte[] read(String path) throws IOException {
        return driver.getContent("/" + path);
    }

    public String text(String path) throws IOException {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        driver.close();
    }
}
