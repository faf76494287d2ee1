package io.berth.storage;

import io.berth.registry.Blobs;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.cache.CachedBlobStatter;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.Scope;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A repository's view of the blob store: a blob is visible only through the repository's link to
 * it, and the link is checked on every read. It is the only way to write a blob.
 */
public final class LinkedBlobStore implements Blobs {

    private final RepositoryName name;
    private final StorageDriver driver;
    private final BlobStore blobs;
    private final UploadSessions sessions;
    private final Clock clock;
    private final CachedBlobStatter statter;
    private final RepositoryLocks locks;
    private final DescriptorCache cache;
    private final GcClaims claims;

    /** What a blob's link is locked by: pushes and deletes of other blobs of the repository go on meanwhile. */
    private record LinkKey(RepositoryName name, Digest digest) {}

    LinkedBlobStore(RepositoryName name, StorageDriver driver, BlobStore blobs, UploadSessions sessions, Clock clock,
            DescriptorCache cache, RepositoryLocks locks, GcClaims claims) {
        this.name = name;
        this.claims = claims;
        this.driver = driver;
        this.blobs = blobs;
        this.sessions = sessions;
        this.clock = clock;
        this.statter = cache.statter(Scope.layers(name), this::statStored);
        this.locks = locks;
        this.cache = cache;
    }

    public RepositoryName name() {
        return name;
    }

    /**
     * The descriptor of a blob linked into this repository, or {@link RegistryError.BlobUnknown}. The
     * cache answers first; its entry for this repository stands for the link.
     */
    @Override
    public Descriptor stat(Digest digest) throws IOException {
        return statter.stat(digest);
    }

    /** True when the repository links the blob and its data is there, asking storage only. */
    boolean present(Digest digest) throws IOException {
        return linked(digest) && blobs.exists(digest);
    }

    /** True when the repository has the blob, the cache answering first. */
    boolean cachedPresent(Digest digest) throws IOException {
        try {
            stat(digest);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private Descriptor statStored(Digest digest) throws IOException {
        if (!linked(digest)) {
            throw new RegistryException(new RegistryError.BlobUnknown(digest));
        }
        // A blob is served as octet-stream whatever the global entry recorded for the digest.
        return Descriptor.of(digest, blobs.stat(digest).size());
    }

    /** Opens a blob already stat-ed through this repository. */
    @Override
    public ReadableByteChannel open(Descriptor descriptor, long offset) throws IOException {
        return blobs.open(descriptor, offset);
    }

    /** A URL of the storage's own for a blob already stat-ed through this repository, when it has one. */
    @Override
    public Optional<URI> redirect(Descriptor descriptor) throws IOException {
        return blobs.redirect(descriptor);
    }

    /** Removes this repository's link to a blob; the content stays for other repositories. */
    @Override
    public void delete(Digest digest) throws IOException {
        locks.locked(new LinkKey(name, digest), () -> {
            if (!linked(digest)) {
                throw new RegistryException(new RegistryError.BlobUnknown(digest));
            }
            try {
                driver.delete(Paths.of(new Paths.LayerLinkDir(name, digest)));
            } catch (StorageDriverException.PathNotFound e) {
                // deleted meanwhile by another replica: the goal is reached
            } finally {
                // After storage, so no reader can refill it from the link; also when the delete failed half way.
                statter.clear(digest);
            }
            return null;
        });
    }

    /** Links a blob of another repository into this one, when that repository has it. */
    @Override
    public Optional<Descriptor> mount(RepositoryName from, Digest digest) throws IOException {
        LinkedBlobStore source = new LinkedBlobStore(from, driver, blobs, sessions, clock, cache, locks, claims);
        Descriptor descriptor;
        try {
            descriptor = source.stat(digest);
        } catch (RegistryException e) {
            return Optional.empty();
        }
        boolean mounted = NoSpace.guard(() -> locks.locked(new LinkKey(name, digest), () -> {
            try (GcClaims.Claim claim = claims.claim(List.of(digest))) {
                if (claim.active() && !source.present(digest)) {
                    return false; // swept by a collection the cache has not heard of: the client uploads it
                }
                long epoch = statter.epoch();
                List<Change> changes = new ArrayList<>(claims.touch(digest));
                changes.add(Links.put(new Paths.LayerLink(name, digest), digest));
                claim.beforePublish();
                driver.publish(changes);
                claim.published();
                statter.fill(digest, Descriptor.of(digest, descriptor.size()), epoch);
                return true;
            }
        }));
        return mounted ? Optional.of(descriptor) : Optional.empty();
    }

    /** Starts an upload session; {@link RegistryError.InsufficientStorage}, leaving nothing, when the storage is full. */
    @Override
    public BlobUpload createUpload() throws IOException {
        UploadId id = UploadId.random();
        Instant startedAt = clock.instant();
        // Not flushed: an upload need not survive a crash, and after one the purger removes it.
        try (FileWriter writer = driver.writer(Paths.of(new Paths.UploadStartedAt(name, id)), false)) {
            writer.write(startedAt.toString().getBytes(StandardCharsets.UTF_8));
        } catch (StorageDriverException.StorageFull e) {
            removeUpload(id);
            throw NoSpace.error(e);
        } catch (StorageDriverException.Busy e) {
            throw BlobUpload.busy(e);
        }
        return new BlobUpload(this, driver, sessions, id, startedAt);
    }

    /** Removes everything an upload stored; one gone already is fine. */
    void removeUpload(UploadId id) throws IOException {
        try {
            driver.delete(Paths.of(new Paths.UploadDir(name, id)));
        } catch (StorageDriverException.PathNotFound e) {
            // cancelled or finished already
        }
    }

    /** Picks up an upload session started earlier, by this process or another. */
    @Override
    public BlobUpload resumeUpload(String uploadId) throws IOException {
        UploadId id = new UploadId(uploadId);
        byte[] startedAt;
        try {
            startedAt = driver.getContent(Paths.of(new Paths.UploadStartedAt(name, id)));
        } catch (StorageDriverException.PathNotFound e) {
            throw new RegistryException(new RegistryError.BlobUploadUnknown(id.value()));
        }
        return new BlobUpload(this, driver, sessions, id, parseTime(startedAt));
    }

    /**
     * Moves verified upload data into the global store and links it here, made durable together.
     * With online garbage collection the blob is claimed first, and data that was there already
     * is marked as touched, so that a collection spares it like a new blob.
     */
    void store(Descriptor descriptor, String uploadedData) throws IOException {
        Digest digest = descriptor.digest();
        locks.locked(new LinkKey(name, digest), () -> {
            try (GcClaims.Claim claim = claims.claim(List.of(digest))) {
                long epoch = statter.epoch();
                List<Change> changes = new ArrayList<>(blobs.place(digest, uploadedData));
                if (changes.isEmpty()) {
                    changes.addAll(claims.touch(digest));
                }
                changes.add(Links.put(new Paths.LayerLink(name, digest), digest));
                claim.beforePublish();
                driver.publish(changes);
                claim.published();
                statter.fill(digest, descriptor, epoch);
            }
            return null;
        });
    }

    /** A link that names another digest is damaged; it grants nothing. */
    private boolean linked(Digest digest) throws IOException {
        return Links.points(driver, new Paths.LayerLink(name, digest), digest);
    }

    static Instant parseTime(byte[] text) {
        try {
            return Instant.parse(new String(text, StandardCharsets.UTF_8).trim());
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
