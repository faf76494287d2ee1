package io.berth.proxy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one remote, for metrics: what was served from the cache, fetched, failed, and what the cache holds. */
public final class ProxyStats {

    private final String remote;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();
    private final AtomicLong cachedBytes = new AtomicLong();
    private final AtomicLong cachedItems = new AtomicLong();

    ProxyStats(String remote) {
        this.remote = remote;
    }

    /** The remote's label: its name, or the upstream's host for {@code proxy.remoteurl}. */
    public String remote() {
        return remote;
    }

    /** Blobs and manifests served from the cache (a tag checked upstream and unchanged counts too). */
    public long hits() {
        return hits.sum();
    }

    /** Blobs and manifests fetched from the upstream. */
    public long misses() {
        return misses.sum();
    }

    /** Requests to the upstream that failed: unreachable, too slow, 5xx, or content that did not verify. */
    public long upstreamErrors() {
        return errors.sum();
    }

    /** Bytes of blobs and manifests fetched from the upstream. */
    public long bytesFetched() {
        return bytesFetched.sum();
    }

    /** Bytes of the blobs and manifests the cache holds and will expire. */
    public long cachedBytes() {
        return cachedBytes.get();
    }

    /** How many blobs and manifests the cache holds. */
    public long cachedItems() {
        return cachedItems.get();
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

    void fetched(long bytes) {
        bytesFetched.add(bytes);
    }

    void cached(long bytes, int items) {
        cachedBytes.addAndGet(bytes);
        cachedItems.addAndGet(items);
    }
}
