package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One repository: its blobs, manifests, tags and referrers. */
public final class Repository {

    private final RepositoryName name;
    private final LinkedBlobStore blobs;
    private final ManifestStore manifests;
    private final TagStore tags;
    private final ReferrersIndex referrers;
    private final Catalog catalog;
    private final StorageDriver driver;
    private final RepositoryLocks locks;

    Repository(RepositoryName name, LinkedBlobStore blobs, ManifestStore manifests, TagStore tags, ReferrersIndex referrers,
            Catalog catalog, StorageDriver driver, RepositoryLocks locks) {
        this.name = name;
        this.locks = locks;
        this.driver = driver;
        this.blobs = blobs;
        this.manifests = manifests;
        this.tags = tags;
        this.referrers = referrers;
        this.catalog = catalog;
    }

    public RepositoryName name() {
        return name;
    }

    public LinkedBlobStore blobs() {
        return blobs;
    }

    public ManifestStore manifests() {
        return manifests;
    }

    public TagStore tags() {
        return tags;
    }

    public ReferrersIndex referrers() {
        return referrers;
    }

    /**
     * Stores a manifest, tags it when a tag is given, and lists the repository in the catalog. The
     * bytes, the revision, the referrers entry and the tag are published in that order and made
     * durable together. Pushes run side by side (they are idempotent); a delete of the repository's
     * tags or manifests comes wholly before or after them. A storage too full for them is {@link RegistryError.InsufficientStorage}.
     */
    public void push(Manifest manifest, Tag tag) throws IOException {
        NoSpace.guard(() -> {
            locks.shared(name, () -> {
                long epoch = manifests.epoch();
                List<Change> changes = new ArrayList<>(manifests.put(manifest));
                if (tag != null) {
                    changes.addAll(tags.tag(tag, manifest.digest()));
                }
                driver.publish(changes);
                manifests.stored(manifest, epoch);
                return null;
            });
            catalog.add(name);
            return null;
        });
    }

    /** Deletes a manifest and every tag that points at it; tags go first, so a crash leaves no tag dangling. */
    public void deleteManifest(Digest digest) throws IOException {
        locks.locked(name, () -> {
            if (!manifests.exists(digest)) {
                throw new RegistryException(new RegistryError.ManifestUnknown(digest.toString()));
            }
            tags.deleteAll(digest);
            manifests.delete(digest);
            return null;
        });
    }
}
