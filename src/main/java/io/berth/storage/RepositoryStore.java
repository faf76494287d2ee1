package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.Descriptor;
import io.berth.registry.Manifest;
import io.berth.registry.Manifests;
import io.berth.registry.Referrer;
import io.berth.registry.Repository;
import io.berth.registry.StoredManifest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One repository in storage: its blobs, manifests, tags and referrers. */
public final class RepositoryStore implements Repository {

    private final RepositoryName name;
    private final LinkedBlobStore blobs;
    private final ManifestStore manifests;
    private final Manifests manifestsView = new StoredManifests();
    private final TagStore tags;
    private final ReferrersIndex referrers;
    private final Catalog catalog;
    private final StorageDriver driver;
    private final RepositoryLocks locks;
    private final GcClaims claims;

    RepositoryStore(RepositoryName name, LinkedBlobStore blobs, ManifestStore manifests, TagStore tags, ReferrersIndex referrers,
            Catalog catalog, StorageDriver driver, RepositoryLocks locks, GcClaims claims) {
        this.name = name;
        this.claims = claims;
        this.locks = locks;
        this.driver = driver;
        this.blobs = blobs;
        this.manifests = manifests;
        this.tags = tags;
        this.referrers = referrers;
        this.catalog = catalog;
    }

    @Override
    public RepositoryName name() {
        return name;
    }

    @Override
    public LinkedBlobStore blobs() {
        return blobs;
    }

    @Override
    public Manifests manifests() {
        return manifestsView;
    }

    @Override
    public TagStore tags() {
        return tags;
    }

    /**
     * Stores a manifest, tags it when a tag is given, and lists the repository in the catalog. The
     * bytes, the revision, the referrers entry and the tag are published in that order and made
     * durable together. Pushes run side by side (they are idempotent); a delete of the repository's
     * tags or manifests comes wholly before or after them. A storage too full for them is {@link RegistryError.InsufficientStorage}.
     * With online garbage collection, the push claims what it references first (see {@link GcClaims}).
     */
    private void push(Manifest manifest, Tag tag, boolean verify) throws IOException {
        NoSpace.guard(() -> {
            locks.shared(name, () -> {
                try (GcClaims.Claim claim = claims.claim(referenced(manifest))) {
                    long epoch = manifests.epoch();
                    List<Change> changes = new ArrayList<>(verify ? manifests.put(manifest, claim.active())
                            : manifests.unverifiedPut(manifest));
                    if (tag != null) {
                        changes.addAll(tags.tag(tag, manifest.digest()));
                    }
                    claim.beforePublish();
                    driver.publish(changes);
                    claim.published();
                    manifests.stored(manifest, epoch);
                }
                return null;
            });
            catalog.add(name);
            return null;
        });
    }

    /**
     * Stores a manifest fetched from a pull-through cache's upstream, and tags it when {@code tag} is not
     * null, without requiring its blobs and children here: they are fetched when a client asks for them.
     */
    public void cache(Manifest manifest, Tag tag) throws IOException {
        push(manifest, tag, false);
    }

    /** The manifest's own digest, its blobs' and its children's: what a collection must not delete under its push. */
    private static List<Digest> referenced(Manifest manifest) {
        List<Digest> digests = new ArrayList<>();
        digests.add(manifest.digest());
        manifest.blobs().forEach(blob -> digests.add(blob.digest()));
        manifest.children().forEach(child -> digests.add(child.digest()));
        return digests;
    }

    /** Deletes a manifest and every tag that points at it; tags go first, so a crash leaves no tag dangling. */
    private void deleteManifest(Digest digest) throws IOException {
        locks.locked(name, () -> {
            if (!manifests.exists(digest)) {
                throw new RegistryException(new RegistryError.ManifestUnknown(digest.toString()));
            }
            tags.deleteAll(digest);
            manifests.delete(digest);
            return null;
        });
    }

    /** The repository's manifests as the domain sees them: reads from the store, writes through the repository's ordering. */
    private final class StoredManifests implements Manifests {
        @Override
        public Descriptor stat(Digest digest) throws IOException {
            return manifests.stat(digest);
        }

        @Override
        public StoredManifest get(Digest digest) throws IOException {
            return manifests.get(digest);
        }

        @Override
        public void put(Manifest manifest, Tag tag) throws IOException {
            push(manifest, tag, true);
        }

        @Override
        public void delete(Digest digest) throws IOException {
            deleteManifest(digest);
        }

        @Override
        public List<Referrer> referrers(Digest subject) throws IOException {
            return referrers.list(subject);
        }
    }
}
