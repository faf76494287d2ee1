package io.berth.storage;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestMemory;
import io.berth.registry.StoredManifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.cache.BlobDescriptorService.Lookup;
import io.berth.storage.cache.CachedBlobStatter;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.Scope;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A repository's manifests: the bytes live in the global blob store, the repository holds a
 * revision link to each. Writing one also keeps the referrers index of its subject current.
 */
public final class ManifestStore {

    private final RepositoryName name;
    private final StorageDriver driver;
    private final BlobStore blobs;
    private final LinkedBlobStore layers;
    private final ReferrersIndex referrers;
    private final CachedBlobStatter statter;
    private final ManifestMemory memory;

    ManifestStore(RepositoryName name, StorageDriver driver, BlobStore blobs, LinkedBlobStore layers, ReferrersIndex referrers,
            DescriptorCache cache, ManifestMemory memory) {
        this.name = name;
        this.memory = memory;
        this.driver = driver;
        this.blobs = blobs;
        this.layers = layers;
        this.referrers = referrers;
        this.statter = cache.statter(Scope.manifests(name), digest -> {
            try (StoredManifest stored = getStored(digest)) {
                return describe(stored);
            }
        });
    }

    /** True when this repository has the manifest; asks storage, never the cache, since writes depend on it. */
    public boolean exists(Digest digest) throws IOException {
        return Links.points(driver, new Paths.ManifestRevisionLink(name, digest), digest);
    }

    /**
     * The manifest's size and media type, or {@link RegistryError.ManifestUnknown}: from the cache when
     * it has them (its entry for this repository stands for the revision link), else from storage.
     */
    public Descriptor stat(Digest digest) throws IOException {
        return statter.stat(digest);
    }

    /**
     * The manifest, or {@link RegistryError.ManifestUnknown}; a cached descriptor saves the link and
     * media type reads. Its bytes count against the {@link ManifestMemory} until it is closed.
     */
    public StoredManifest get(Digest digest) throws IOException {
        Lookup lookup = statter.lookup(digest);
        if (lookup instanceof Lookup.Hit hit) {
            ManifestMemory.Lease lease = memory.acquire(hit.descriptor().size());
            try {
                return new StoredManifest(digest, content(digest), hit.descriptor().mediaType(), lease);
            } catch (IOException | RuntimeException e) {
                lease.close();
                throw e;
            }
        }
        StoredManifest stored = getStored(digest);
        statter.fill(digest, describe(stored), ((Lookup.Miss) lookup).epoch());
        return stored;
    }

    private StoredManifest getStored(Digest digest) throws IOException {
        if (!exists(digest)) {
            throw unknown(digest);
        }
        // The size first, so that the memory is reserved before the bytes are read.
        ManifestMemory.Lease lease = memory.acquire(size(digest));
        try {
            byte[] content = content(digest);
            return new StoredManifest(digest, content, mediaType(digest, content), lease);
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** The global store's size of the manifest's bytes: its descriptor cache spares the stat when it can. */
    private long size(Digest digest) throws IOException {
        try {
            return blobs.stat(digest).size();
        } catch (RegistryException e) {
            throw e.error() instanceof RegistryError.BlobUnknown ? unknown(digest) : e;
        }
    }

    private byte[] content(Digest digest) throws IOException {
        try {
            return driver.getContent(Paths.of(new Paths.BlobData(digest)));
        } catch (StorageDriverException.PathNotFound e) {
            throw unknown(digest);
        }
    }

    private static Descriptor describe(StoredManifest stored) {
        return new Descriptor(stored.digest(), stored.content().length, stored.mediaType());
    }

    /** The epoch to take before storing a manifest, for {@link #stored}. */
    long epoch() {
        return statter.epoch();
    }

    /** Fills the cache with a manifest just stored, unless a delete came after {@code epoch}. */
    void stored(Manifest manifest, long epoch) {
        statter.fill(manifest.digest(), new Descriptor(manifest.digest(), manifest.content().length, manifest.mediaType()), epoch);
    }

    /**
     * What stores a validated manifest, once everything it points at is checked to be here: its
     * blobs ({@link RegistryError.ManifestBlobUnknown}) and, for an index, its manifests
     * ({@link RegistryError.ManifestUnknown}). Storing the same manifest again changes nothing.
     * {@code fromStorage}: blobs are checked in storage, not in a cache that a collection may have left stale.
     */
    List<Change> put(Manifest manifest, boolean fromStorage) throws IOException {
        verifyReferences(manifest, fromStorage);
        return unverifiedPut(manifest);
    }

    private void verifyReferences(Manifest manifest, boolean fromStorage) throws IOException {
        for (Descriptor blob : manifest.blobs()) {
            if (!(fromStorage ? layers.present(blob.digest()) : layers.cachedPresent(blob.digest()))) {
                throw new RegistryException(new RegistryError.ManifestBlobUnknown(blob.digest()));
            }
        }
        for (Descriptor child : manifest.children()) {
            if (!exists(child.digest())) {
                throw new RegistryException(new RegistryError.ManifestUnknown(
                        "the index lists " + child.digest() + ", which this repository does not have"));
            }
        }
    }

    /** What stores a manifest whether or not what it points at is here: a pull-through cache fetches that later, on demand. */
    List<Change> unverifiedPut(Manifest manifest) throws IOException {
        Digest digest = manifest.digest();
        List<Change> changes = new ArrayList<>();
        if (!blobs.exists(digest)) {
            changes.add(new Change.Put(Paths.of(new Paths.BlobData(digest)), manifest.content()));
        }
        if (!manifest.mediaTypeDeclared()) {
            changes.add(new Change.Put(Paths.of(new Paths.ManifestMediaType(name, digest)), manifest.mediaType().getBytes(StandardCharsets.UTF_8)));
        }
        // The revision before the referrers entry: a crash between them loses only an entry the next push restores.
        changes.add(Links.put(new Paths.ManifestRevisionLink(name, digest), digest));
        if (manifest.subject() != null) {
            changes.add(referrers.add(manifest.subject().digest(), manifest.asReferrer()));
        }
        return changes;
    }

    /** Removes the manifest from this repository, with its referrers entry; tags are the caller's. */
    public void delete(Digest digest) throws IOException {
        Descriptor subject;
        try (StoredManifest stored = get(digest)) {
            subject = subjectOf(stored);
        }
        if (subject != null) {
            referrers.remove(subject.digest(), digest);
        }
        try {
            driver.delete(Paths.of(new Paths.ManifestRevisionDir(name, digest)));
        } finally {
            // After storage, so no reader can refill it from the link; also when the delete failed half way.
            statter.clear(digest);
        }
    }

    private Descriptor subjectOf(StoredManifest stored) {
        try {
            return ManifestParser.parse(stored.content(), stored.mediaType(), stored.digest().algorithm()).subject();
        } catch (RegistryException e) {
            return null; // a manifest stored by another registry that we cannot read names no subject we indexed
        }
    }

    private String mediaType(Digest digest, byte[] content) throws IOException {
        String declared = ManifestParser.declaredMediaType(content);
        if (declared != null) {
            return declared;
        }
        try {
            return new String(driver.getContent(Paths.of(new Paths.ManifestMediaType(name, digest))), StandardCharsets.UTF_8).trim();
        } catch (StorageDriverException.PathNotFound e) {
            return ManifestParser.sniffMediaType(content);
        }
    }

    private static RegistryException unknown(Digest digest) {
        return new RegistryException(new RegistryError.ManifestUnknown(digest.toString()));
    }
}
