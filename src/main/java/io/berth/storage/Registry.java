package io.berth.storage;

import io.berth.registry.CatalogPage;
import io.berth.registry.ManifestMemory;
import io.berth.registry.Namespace;
import io.berth.registry.RepositoryName;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.time.Clock;

/** The storage-backed registry: hands out repositories over one driver and one global blob store. */
public final class Registry implements Namespace {

    private final StorageDriver driver;
    private final BlobStore blobs;
    private final Catalog catalog;
    private final UploadSessions sessions = new UploadSessions();
    private final RepositoryLocks locks = new RepositoryLocks();
    private final Clock clock;
    private final DescriptorCache cache;
    private final ManifestMemory manifestMemory = ManifestMemory.forHeap();
    private final GcClaims claims;

    /** A registry without a descriptor cache: every read asks storage. */
    public Registry(StorageDriver driver, Clock clock) {
        this(driver, clock, DescriptorCache.none());
    }

    /** A registry whose reads ask the descriptor cache before storage. */
    public Registry(StorageDriver driver, Clock clock, DescriptorCache cache) {
        this(driver, clock, cache, GcClaims.OFF);
    }

    /** A registry whose pushes claim what they rely on, for online garbage collection ({@link GcClaims}). */
    public Registry(StorageDriver driver, Clock clock, DescriptorCache cache, GcClaims claims) {
        this.driver = driver;
        this.claims = claims;
        this.blobs = new BlobStore(driver, cache);
        this.catalog = new Catalog(driver);
        this.clock = clock;
        this.cache = cache;
    }

    @Override
    public RepositoryStore repository(RepositoryName name) {
        LinkedBlobStore layers = new LinkedBlobStore(name, driver, blobs, sessions, clock, cache, locks, claims);
        ReferrersIndex referrers = new ReferrersIndex(name, driver);
        return new RepositoryStore(name, layers, new ManifestStore(name, driver, blobs, layers, referrers, cache, manifestMemory),
                new TagStore(name, driver, locks), referrers, catalog, driver, locks, claims);
    }

    /** The bound on manifest bytes in memory, shared by every repository's reads and by pushes. */
    public ManifestMemory manifestMemory() {
        return manifestMemory;
    }

    /** The clock every part of this registry reads time from. */
    public Clock clock() {
        return clock;
    }

    @Override
    public CatalogPage catalog(String last, int n) throws IOException {
        return catalog.page(last, n);
    }

    /** The catalog index, for its maintenance. */
    public Catalog catalogIndex() {
        return catalog;
    }
}
