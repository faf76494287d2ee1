package io.berth.storage.cache;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import java.io.IOException;

/**
 * A statter with the descriptor cache in front of storage, for one scope: look up, on a miss ask
 * storage and fill the cache. A cache that fails is bypassed: the request goes to storage and never
 * fails because of the cache. Writes fill the cache through {@link #epoch} and {@link #fill}; deletes
 * {@link #clear} it after changing storage.
 */
public final class CachedBlobStatter implements BlobStatter {

    /** The epoch of a lookup or write whose result must not be cached (no cache, or it failed). */
    static final long NO_FILL = Long.MIN_VALUE;

    private static final BlobDescriptorService.Lookup UNCACHED = new BlobDescriptorService.Lookup.Miss(NO_FILL);

    private final DescriptorCache cache;
    private final Scope scope;
    private final BlobStatter storage;

    CachedBlobStatter(DescriptorCache cache, Scope scope, BlobStatter storage) {
        this.cache = cache;
        this.scope = scope;
        this.storage = storage;
    }

    @Override
    public Descriptor stat(Digest digest) throws IOException {
        BlobDescriptorService.Lookup lookup = lookup(digest);
        if (lookup instanceof BlobDescriptorService.Lookup.Hit hit) {
            return hit.descriptor();
        }
        Descriptor descriptor = storage.stat(digest);
        fill(digest, descriptor, ((BlobDescriptorService.Lookup.Miss) lookup).epoch());
        return descriptor;
    }

    /** What the cache says, for a caller that reads storage itself on a miss and then {@link #fill}s. */
    public BlobDescriptorService.Lookup lookup(Digest digest) {
        BlobDescriptorService service = cache.service();
        if (service == null) {
            return UNCACHED;
        }
        try {
            BlobDescriptorService.Lookup lookup = service.stat(scope, digest);
            cache.succeeded();
            if (lookup instanceof BlobDescriptorService.Lookup.Hit) {
                cache.counters().hit();
            } else {
                cache.counters().miss();
            }
            return lookup;
        } catch (CacheException e) {
            cache.failed(e);
            return UNCACHED;
        }
    }

    /** The epoch to take before a write that fills the cache afterwards. */
    public long epoch() {
        BlobDescriptorService service = cache.service();
        if (service == null) {
            return NO_FILL;
        }
        try {
            return service.epoch();
        } catch (CacheException e) {
            cache.failed(e);
            return NO_FILL;
        }
    }

    /** Records what storage said or what a write stored, unless a clear came after {@code epoch}. */
    public void fill(Digest digest, Descriptor descriptor, long epoch) {
        BlobDescriptorService service = cache.service();
        if (service == null || epoch == NO_FILL) {
            return;
        }
        try {
            service.set(scope, digest, descriptor, epoch);
        } catch (CacheException e) {
            cache.failed(e);
        }
    }

    /** Forgets a digest after storage dropped this scope's link to it. */
    public void clear(Digest digest) {
        BlobDescriptorService service = cache.service();
        if (service == null) {
            return;
        }
        try {
            service.clear(scope, digest);
        } catch (CacheException e) {
            cache.failed(e);
        }
    }
}
