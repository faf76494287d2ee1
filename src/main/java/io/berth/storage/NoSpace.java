package io.berth.storage;

import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;

/** A write the storage had no room for, as the registry's error: 507, and the client may retry once space is freed. */
final class NoSpace {

    private NoSpace() {}

    static RegistryException error(StorageDriverException.StorageFull e) {
        return new RegistryException(new RegistryError.InsufficientStorage("the registry's storage is full; nothing of this request was kept"));
    }

    /** Runs a write whose partial results the driver cleans up itself, turning a full storage into the registry's error. */
    static <T> T guard(IoStep<T> write) throws IOException {
        try {
            return write.run();
        } catch (StorageDriverException.StorageFull e) {
            throw error(e);
        }
    }
}
