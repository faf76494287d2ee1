package io.berth.storage.cache;

import com.github.benmanes.caffeine.cache.Ticker;
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
    /** Time for the report interval, in nanoseconds; injected so that tests move it instead of waiting. */
    private final Ticker ticker;
    private final CacheStats stats = new CacheStats(STATS_NAME);
    private final AtomicLong nextReport;
    private final AtomicLong unreported = new AtomicLong();
    private volatile boolean failing;

    private DescriptorCache(BlobDescriptorService service, Ticker ticker) {
        this.service = service;
        this.ticker = ticker;
        this.nextReport = new AtomicLong(ticker.read());
    }

    /** No cache: every statter asks storage, as if this class were not there. */
    public static DescriptorCache none() {
        return new DescriptorCache(null, Ticker.systemTicker());
    }

    /** A cache over the given store; failures are reported at most once per 30 s of {@code ticker}. */
    public static DescriptorCache of(BlobDescriptorService service, Ticker ticker) {
        return new DescriptorCache(service, ticker);
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
        long now = ticker.read();
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
