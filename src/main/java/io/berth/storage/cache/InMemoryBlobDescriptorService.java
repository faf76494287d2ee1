package io.berth.storage.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import java.util.concurrent.atomic.AtomicLong;

/** Descriptors in this process's memory, bounded by entry count (Caffeine's eviction). */
public final class InMemoryBlobDescriptorService implements BlobDescriptorService {

    /** Distribution's default of {@code storage.cache.blobdescriptorsize}. */
    public static final long DEFAULT_SIZE = 10_000;

    private record Key(Scope scope, Digest digest) {}

    private final Cache<Key, Descriptor> entries;
    private final AtomicLong epoch = new AtomicLong();

    /** A cache of at most {@code maximumEntries} entries; 0 or less means the default. */
    public InMemoryBlobDescriptorService(long maximumEntries) {
        this.entries = Caffeine.newBuilder()
                .maximumSize(maximumEntries > 0 ? maximumEntries : DEFAULT_SIZE)
                // Eviction work on the calling thread: no pool threads for a cache this cheap.
                .executor(Runnable::run)
                .build();
    }

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public Lookup stat(Scope scope, Digest digest) {
        // The epoch first: a fill with it is dropped if a clear happens after this lookup.
        long current = epoch.get();
        Descriptor descriptor = entries.getIfPresent(new Key(scope, digest));
        return descriptor != null ? new Lookup.Hit(descriptor) : new Lookup.Miss(current);
    }

    @Override
    public long epoch() {
        return epoch.get();
    }

    @Override
    public void set(Scope scope, Digest digest, Descriptor descriptor, long seen) {
        if (epoch.get() != seen) {
            return;
        }
        Key global = new Key(Scope.GLOBAL, digest);
        Key key = new Key(scope, digest);
        entries.asMap().putIfAbsent(global, descriptor);
        if (!key.equals(global)) {
            entries.put(key, descriptor);
        }
        // A clear that began after the check above may have run before the puts: undo them. A clear
        // that advances the epoch after this second check removes the entries itself afterwards.
        if (epoch.get() != seen) {
            entries.invalidate(key);
            entries.invalidate(global);
        }
    }

    @Override
    public void clear(Scope scope, Digest digest) {
        epoch.incrementAndGet();
        entries.invalidate(new Key(scope, digest));
        entries.invalidate(new Key(Scope.GLOBAL, digest));
    }

    /** Entries held now (Caffeine's estimate), for tests of the bound. */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
