package io.berth.storage.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one cache, for the metrics endpoint ({@code berth_cache_hits_total{cache="<name>"}},
 * and likewise misses and errors). An error is a lookup or update the cache could not serve, so the
 * request went to storage instead.
 */
public final class CacheStats {

    /** The counters at one instant. */
    public record Snapshot(String cache, long hits, long misses, long errors) {}

    private final String name;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();

    public CacheStats(String name) {
        this.name = name;
    }

    /** The cache's label, e.g. {@code blobdescriptor}. */
    public String name() {
        return name;
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void error() {
        errors.increment();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public Snapshot snapshot() {
        return new Snapshot(name, hits(), misses(), errors());
    }
}
