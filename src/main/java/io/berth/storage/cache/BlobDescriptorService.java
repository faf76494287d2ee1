package io.berth.storage.cache;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;

/**
 * A store of blob descriptors by digest, with a global scope and a scope per set of repository links
 * ({@link Scope}). It is a cache: an entry may be missing at any time, and a caller that misses asks
 * storage. An entry in a repository's scope means "this repository links this digest", so it is set
 * only from what storage said and cleared whenever a link goes.
 *
 * <p>Every {@link #clear} advances an epoch. A caller that fills the cache from storage takes the
 * epoch before reading (or writing) storage and hands it to {@link #set}, which drops the entry when
 * a clear came in between: a fill racing a delete never brings back what the delete removed.
 *
 * <p>Methods throw {@link CacheException} when the cache cannot answer; callers then use storage.
 */
public interface BlobDescriptorService extends AutoCloseable {

    /** What a lookup found. */
    sealed interface Lookup {
        /** The cache has the descriptor. */
        record Hit(Descriptor descriptor) implements Lookup {}

        /** The cache does not have it; {@code epoch} is the one to fill it with. */
        record Miss(long epoch) implements Lookup {}
    }

    /** The configuration name of the implementation: {@code inmemory} or {@code redis}. */
    String name();

    /** Looks a digest up in a scope. */
    Lookup stat(Scope scope, Digest digest);

    /** The current epoch, taken before a write that will fill the cache afterwards. */
    long epoch();

    /**
     * Records a descriptor in a scope (a repository scope records it globally too), unless the epoch
     * moved past {@code epoch}. In the global scope a media type already recorded stays, as in
     * Distribution; a repository scope keeps its own.
     */
    void set(Scope scope, Digest digest, Descriptor descriptor, long epoch);

    /** Forgets a digest in a scope and globally, and advances the epoch. Clearing what is not there is fine. */
    void clear(Scope scope, Digest digest);

    @Override
    default void close() {}
}
