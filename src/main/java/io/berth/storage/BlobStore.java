package io.berth.storage;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.storage.cache.CachedBlobStatter;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.Scope;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Optional;

/**
 * The global, content-addressed blob store: the read fast path, with no access control. Writing
 * goes through {@link LinkedBlobStore}, the only way a blob enters the store.
 */
public final class BlobStore {

    private final StorageDriver driver;
    private final CachedBlobStatter statter;

    BlobStore(StorageDriver driver, DescriptorCache cache) {
        this.driver = driver;
        this.statter = cache.statter(Scope.GLOBAL, this::statStored);
    }

    /** The descriptor of a stored blob, or {@link RegistryError.BlobUnknown}; the cache answers first. */
    public Descriptor stat(Digest digest) throws IOException {
        return statter.stat(digest);
    }

    /** What storage says of a blob, without the cache: for decisions that write. */
    private Descriptor statStored(Digest digest) throws IOException {
        try {
            FileInfo info = driver.stat(Paths.of(new Paths.BlobData(digest)));
            if (!info.isDirectory()) {
                return Descriptor.of(digest, info.size());
            }
        } catch (StorageDriverException.PathNotFound e) {
            // fall through to the registry's own error
        }
        throw new RegistryException(new RegistryError.BlobUnknown(digest));
    }

    /** True when the blob's data is in storage; asks storage, never the cache, since writes depend on it. */
    boolean exists(Digest digest) throws IOException {
        try {
            statStored(digest);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /**
     * Opens a blob described by {@code descriptor} at {@code offset}. The caller already knows the
     * size from the descriptor, so opening costs no further stat.
     */
    public ReadableByteChannel open(Descriptor descriptor, long offset) throws IOException {
        try {
            return driver.channel(Paths.of(new Paths.BlobData(descriptor.digest())), offset);
        } catch (StorageDriverException.PathNotFound e) {
            throw new RegistryException(new RegistryError.BlobUnknown(descriptor.digest()));
        }
    }

    /** Where a client may fetch a stored blob from the storage itself, when the driver offers that. */
    public Optional<URI> redirect(Descriptor descriptor) throws IOException {
        return driver.redirectUrl(Paths.of(new Paths.BlobData(descriptor.digest())));
    }

    /**
     * What places verified upload data at the blob's address: a move, or nothing (and the upload's
     * copy dropped) when an identical copy is there already.
     */
    List<Change> place(Digest digest, String uploadedData) throws IOException {
        if (exists(digest)) {
            driver.delete(uploadedData);
            return List.of();
        }
        return List.of(new Change.Move(uploadedData, Paths.of(new Paths.BlobData(digest))));
    }
}
