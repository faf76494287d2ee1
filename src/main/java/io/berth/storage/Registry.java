package io.berth.storage;

import io.berth.registry.RepositoryName;
import io.berth.storage.driver.StorageDriver;
import java.time.Clock;

/** The storage-backed registry: hands out repositories over one driver and one global blob store. */
public final class Registry {

    private final StorageDriver driver;
    private final BlobStore blobs;
    private final UploadSessions sessions = new UploadSessions();
    private final Clock clock;

    public Registry(StorageDriver driver, Clock clock) {
        this.driver = driver;
        this.blobs = new BlobStore(driver);
        this.clock = clock;
    }

    /** The blobs of one repository. */
    public LinkedBlobStore blobs(RepositoryName name) {
        return new LinkedBlobStore(name, driver, blobs, sessions, clock);
    }

    public StorageDriver driver() {
        return driver;
    }
}
