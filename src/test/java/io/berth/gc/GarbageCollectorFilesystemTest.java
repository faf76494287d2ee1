package io.berth.gc;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.testing.TestRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The collector on the filesystem driver. */
class GarbageCollectorFilesystemTest extends GarbageCollectorContract {

    @TempDir
    Path root;

    @Override
    TestRegistry.Builder registryOnFreshRoot() {
        return TestRegistry.builder(root);
    }

    @Override
    StorageDriver driverOnRoot() {
        return new FilesystemDriver(root);
    }
}
