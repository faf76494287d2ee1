package io.berth.storage.cache;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's descriptor cache, or none: it hands out {@link CachedBlobStatter}s, counts what they
 * do, and reports a failing cache at most once per interval instead of once per request.
 */
public final class DescriptorCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DescriptorCache.class);

    /** The label of this cache in metrics. */
    public static final String STATS_NAME = "blobdescriptor";

    static final long REPORT_INTERVAL_NANOS = 30_000_000_000L;

    private final BlobDescriptorService service;
    private final CacheStats stats = new CacheStats(STATS_NAME);
    private final AtomicLong nextReport = new AtomicLong(System.nanoTime());
    private final AtomicLong unreported = new AtomicLong();
    private volatile boolean failing;

    private DescriptorCache(BlobDescriptorService service) {
        this.service = service;
    }

    /** No cache: every statter asks storage, as if this class were not there. */
    public static DescriptorCache none() {
        return new DescriptorCache(null);
    }

    /** A cache over the given store. */
    public static DescriptorCache of(BlobDescriptorService service) {
        return new DescriptorCache(service);
    }

    /** A statter for one scope in front of the storage statter. */
    public CachedBlobStatter statter(Scope scope, BlobStatter storage) {
        return new CachedBlobStatter(this, scope, storage);
    }

    /** The counters, when there is a cache. */
    public Optional<CacheStats> stats() {
        return service == null ? Optional.empty() : Optional.of(stats);
    }

    /** The store's configuration name, or {@code none}. */
    public String kind() {
        return service == null ? "none" : service.name();
    }

    BlobDescriptorService service() {
        return service;
    }

    CacheStats counters() {
        return stats;
    }

    void failed(CacheException e) {
        stats.error();
        failing = true;
        long now = System.nanoTime();
        long due = nextReport.get();
        if (now - due >= 0 && nextReport.compareAndSet(due, now + REPORT_INTERVAL_NANOS)) {
            long others = unreported.getAndSet(0);
            log.warn("descriptor cache ({}) unavailable, serving from storage: {}{}", service.name(), e.getMessage(),
                    others == 0 ? "" : " (" + others + " more failures since the last report)");
        } else {
            unreported.incrementAndGet();
        }
    }

    void succeeded() {
        if (failing) {
            failing = false;
            log.info("descriptor cache ({}) answers again", service.name());
        }
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
    }
}
