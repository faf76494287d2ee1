package io.berth.gc;

import io.berth.storage.GcClaims;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.driver.StorageDriver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online garbage collection in the running server: every {@code interval} it takes the lease, and
 * when it holds it, collects with the {@link StorageFence} (so pushes in flight keep what they
 * rely on) and the registry's descriptor cache, renewing the lease and the fence's markers while it
 * runs. A failed run is logged and counted; it never stops the server nor the next run.
 */
public final class OnlineCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OnlineCollector.class);
    /** How long a lease lasts without renewal; renewed every third of it. */
    public static final Duration LEASE_TTL = Duration.ofSeconds(60);

    /** {@code storage.maintenance.gc}, as this layer needs it. */
    public record Settings(Duration interval, Duration delay, boolean untagged) {}

    /** What the runs did so far, for metrics. */
    public static final class Stats {
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong blobsDeleted = new AtomicLong();
        final AtomicLong bytesDeleted = new AtomicLong();
        final AtomicLong manifestsDeleted = new AtomicLong();
        volatile double lastDurationSeconds;
        volatile double lastSuccessSeconds;

        /** Runs by outcome: {@code success}, {@code failure}, or {@code skipped} (another replica held the lease). */
        public long runs(String outcome) {
            return switch (outcome) {
                case "success" -> succeeded.get();
                case "failure" -> failed.get();
                default -> skipped.get();
            };
        }

        public long blobsDeleted() {
            return blobsDeleted.get();
        }

        public long bytesDeleted() {
            return bytesDeleted.get();
        }

        public long manifestsDeleted() {
            return manifestsDeleted.get();
        }

        /** Seconds the last run that held the lease took. */
        public double lastDurationSeconds() {
            return lastDurationSeconds;
        }

        /** When the last successful run ended, in seconds since the epoch; 0 before one. */
        public double lastSuccessSeconds() {
            return lastSuccessSeconds;
        }
    }

    private final GarbageCollector collector;
    private final StorageFence fence;
    private final Lease lease;
    private final String owner;
    private final Clock clock;
    private final Settings settings;
    private final Stats stats = new Stats();
    private final ScheduledExecutorService executor =
            Executors.newScheduledThreadPool(2, Thread.ofVirtual().name("gc-", 0).factory());

    /** A collector over the registry's driver and cache; pushes on every replica must write {@code claims}. */
    public OnlineCollector(StorageDriver driver, DescriptorCache cache, GcClaims claims, Lease lease, String owner, Clock clock,
            Settings settings) {
        this.fence = new StorageFence(claims, clock, settings.delay());
        this.collector = new GarbageCollector(driver, cache, fence, clock);
        this.lease = lease;
        this.owner = owner;
        this.clock = clock;
        this.settings = settings;
    }

    /** Schedules the runs: the first after a minute at most, then {@code interval} after each one ends. */
    public OnlineCollector start() {
        long interval = settings.interval().toMillis();
        executor.scheduleWithFixedDelay(this::runQuietly, Math.min(interval, TimeUnit.MINUTES.toMillis(1)), interval,
                TimeUnit.MILLISECONDS);
        return this;
    }

    public Stats stats() {
        return stats;
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (Exception e) {
            log.warn("garbage collection failed: {}", e.toString());
        }
    }

    /** One run, when this replica can take the lease; empty when another holds it. */
    public Optional<Report> runOnce() throws Exception {
        if (!lease.acquire()) {
            stats.skipped.incrementAndGet();
            return Optional.empty();
        }
        Instant start = clock.instant();
        ScheduledFuture<?> renewal = executor.scheduleWithFixedDelay(this::renew, LEASE_TTL.toMillis() / 3,
                LEASE_TTL.toMillis() / 3, TimeUnit.MILLISECONDS);
        try {
            fence.open(owner);
            Report report = collector.collect(new Options(false, settings.untagged(), settings.delay()), Listener.SILENT);
            succeeded(report);
            return Optional.of(report);
        } catch (Exception e) {
            stats.failed.incrementAndGet();
            throw e;
        } finally {
            renewal.cancel(false);
            stats.lastDurationSeconds = Duration.between(start, clock.instant()).toMillis() / 1000.0;
            try {
                fence.close();
            } finally {
                lease.release();
            }
        }
    }

    private void succeeded(Report report) {
        stats.succeeded.incrementAndGet();
        stats.blobsDeleted.addAndGet(report.blobsDeleted().size());
        stats.bytesDeleted.addAndGet(report.bytesFreed());
        stats.manifestsDeleted.addAndGet(report.manifestsDeleted().size());
        stats.lastSuccessSeconds = clock.millis() / 1000.0;
        log.info("garbage collection: {} repositories, {} manifests and {} blobs marked, {} blobs deleted ({} bytes), "
                        + "{} manifests deleted, in {} ms", report.repositories(), report.manifestsMarked(), report.blobsMarked(),
                report.blobsDeleted().size(), report.bytesFreed(), report.manifestsDeleted().size(), report.took().toMillis());
    }

    private void renew() {
        try {
            if (!lease.renew()) {
                log.error("garbage collection lost its lease while running: another replica may collect at the same time");
            }
            fence.refresh();
        } catch (Exception e) {
            log.warn("garbage collection could not renew its lease: {}", e.toString());
        }
    }

    /** Stops the runs; one under way is interrupted. */
    @Override
    public void close() throws Exception {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
        lease.close();
    }
}
