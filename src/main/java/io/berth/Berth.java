package io.berth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.berth.auth.htpasswd.Htpasswd;
import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.gc.Lease;
import io.berth.gc.OnlineCollector;
import io.berth.gc.RedisLease;
import io.berth.gc.StorageLease;
import io.berth.http.RegistryServer;
import io.berth.http.tls.TlsContexts;
import io.berth.notify.Notifier;
import io.berth.observe.AccessLog;
import io.berth.observe.BuildInfo;
import io.berth.observe.DebugServer;
import io.berth.observe.Health;
import io.berth.observe.Metrics;
import io.berth.observe.StorageDriverCheck;
import io.berth.proxy.ProxyNamespace;
import io.berth.registry.Namespace;
import io.berth.storage.Catalog;
import io.berth.storage.GcClaims;
import io.berth.storage.Registry;
import io.berth.storage.StoredSecret;
import io.berth.storage.UploadPurger;
import io.berth.storage.cache.CacheStats;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.InMemoryBlobDescriptorService;
import io.berth.storage.cache.RedisBlobDescriptorService;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.MeteredStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.inmemory.InMemoryDriver;
import io.berth.storage.driver.s3.S3Driver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds a running registry from a configuration, and takes it down again. */
public final class Berth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Berth.class);

    private final RegistryServer server;
    private final DebugServer debug;
    private final DescriptorCache cache;
    /** {@code auth.htpasswd}'s file, or null without one. */
    private final Htpasswd htpasswd;
    /** Everything {@link #start} opened, closed in reverse order. */
    private final Closer closer;

    private Berth(RegistryServer server, DebugServer debug, DescriptorCache cache, Htpasswd htpasswd, Closer closer) {
        this.server = server;
        this.debug = debug;
        this.cache = cache;
        this.htpasswd = htpasswd;
        this.closer = closer;
    }

    /** Starts a registry; the clock drives upload ages and the caches' intervals, so tests can move time instead of waiting. */
    public static Berth start(Config config, Clock clock) throws Exception {
        return start(config, clock, storageDriver(config.storage()));
    }

    /** Starts a registry over a driver built by the caller, which it then owns: it is closed on a failed start or by {@link #close}. */
    public static Berth start(Config config, Clock clock, StorageDriver storage) throws Exception {
        if (log.isDebugEnabled()) {
            log.debug("configuration in force:\n{}", config.effectiveYaml().stripTrailing());
        }
        Closer closer = new Closer();
        try {
            return assemble(config, clock, storage, closer);
        } catch (Exception e) {
            // What was opened before the failure is closed here, each close failure attached to e.
            throw closer.closeAfter(e);
        }
    }

    /** Builds and starts every component, each registered with {@code closer} as it is created. */
    private static Berth assemble(Config config, Clock clock, StorageDriver storage, Closer closer) throws Exception {
        Config.Debug debugSettings = config.http().debug();
        // The decorators below only pass close() down: closing the caller's driver closes them all.
        closer.add(storage);
        Metrics metrics = debugSettings.prometheusEnabled() ? new Metrics() : null;
        StorageDriver driver = CheckedStorageDriver.wrap(metrics == null ? storage
                : new MeteredStorageDriver(storage, (name, action) -> metrics.storageOperation(name, action)::record));
        DescriptorCache cache = closer.add(descriptorCache(config, ticker(clock)));
        if (metrics != null) {
            countCache(cache, metrics);
        }
        boolean collecting = config.storage().gc().enabled() && !config.storage().readOnly();
        GcClaims claims = collecting ? GcClaims.on(driver) : GcClaims.OFF;
        Registry registry = new Registry(driver, clock, cache, claims);
        ProxyNamespace proxy = closer.add(pullThroughCache(config, registry, driver, clock, metrics));
        ScheduledExecutorService maintenance = startPurging(driver, clock, config.storage());
        closer.add(maintenance::shutdownNow);
        reconcileCatalog(maintenance, registry.catalogIndex(), config.storage());
        if (collecting) {
            closer.add(onlineCollector(config, driver, cache, claims, clock, metrics));
        } else if (config.storage().gc().enabled()) {
            log.info("online garbage collection is off while the registry is read-only");
        }
        Health health = new Health();
        closer.add(storageDriverCheck(driver, config.health().storageDriver(), health));
        Authentication.Built auth = Authentication.build(config.auth(), driver, config.storage().readOnly(), clock);
        Notifier notifier = closer.add(Notifications.start(config, driver, metrics));
        RegistryServer server = closer.add(registryServer(proxy == null ? registry : proxy, registry, auth, config, metrics, driver,
                notifier));
        DebugServer debug = closer.add(debugSettings.address() == null ? null
                : new DebugServer(debugSettings.address(), health, metrics, debugSettings.prometheusPath(), notifier == null ? Map.of()
                        : Map.of(Notifications.DEBUG_PATH, () -> Notifications.debugView(notifier))));
        server.start();
        if (notifier != null) {
            notifier.listening(server.port());
        }
        if (debug != null) {
            debug.start();
        }
        log.info("listening on {}:{} with {} storage{}{}{}, descriptor cache {}, authentication {}; berth {}",
                config.http().address().getHostString(),
                server.port(), driver.name(),
                where(config.storage()),
                config.http().tls() == null ? "" : config.http().http2Disabled() ? ", HTTPS" : ", HTTPS and HTTP/2",
                config.storage().readOnly() ? ", read-only" : proxy != null ? ", a pull-through cache" : "", cache.kind(), auth.mode(),
                BuildInfo.current());
        if (debug != null) {
            log.info("debug server listening on {}:{}: health at {}{}", debugSettings.address().getHostString(), debug.port(),
                    DebugServer.HEALTH_PATH, metrics == null ? "" : ", metrics at " + debugSettings.prometheusPath());
        }
        return new Berth(server, debug, cache, auth.htpasswd(), closer);
    }

    /**
     * The HTTP server over {@code served} (the storage, or the cache in front of it), each request's view of it wrapped
     * by the notifier when there is one; a TLS file it cannot use is a configuration error naming its key.
     */
    private static RegistryServer registryServer(Namespace served, Registry registry, Authentication.Built auth, Config config,
            Metrics metrics, StorageDriver driver, Notifier notifier)
            throws IOException {
        try {
            RegistryServer.Services services = new RegistryServer.Services(served, registry.manifestMemory(), registry.clock(),
                    auth.authorizer(), auth.tokenServer(), notifier == null ? null : notifier::wrap);
            return new RegistryServer(services, httpSettings(config, driver), config.log().accessLogDisabled() ? null : new AccessLog(),
                    metrics);
        } catch (TlsContexts.UnusableFileException e) {
            throw new ConfigException("http.tls." + e.part() + ": " + e.getMessage());
        }
    }

    private static RegistryServer.Settings httpSettings(Config config, StorageDriver driver) throws IOException {
        Config.Http http = config.http();
        byte[] secret = secret(http.secret(), driver, config.storage().readOnly());
        return new RegistryServer.Settings(http.address(), secret, config.storage().deleteEnabled(),
                config.storage().readOnly(), http.prefix(), http.host(), http.headers(), LayerSettings.tls(http.tls()),
                http.http2Disabled(), http.drainTimeout(), !config.storage().redirectDisabled(), LayerSettings.limits(http.limits()),
                config.storage().uploadPurging().age(), Proxies.namespaces(config.proxy()));
    }

    public int port() {
        return server.port();
    }

    /** The debug server's port, or -1 when {@code http.debug.addr} is not set. */
    public int debugPort() {
        return debug == null ? -1 : debug.port();
    }

    /** The counters of the caches in use (none without a descriptor cache), for metrics. */
    public List<CacheStats> cacheStats() {
        return cache.stats().stream().toList();
    }

    /** The htpasswd file signed-in users are checked against, or null without {@code auth.htpasswd}; tests read its counters. */
    public Htpasswd htpasswd() {
        return htpasswd;
    }

    /**
     * Stops serving gracefully: no new connections, requests in flight finish within
     * {@code http.draintimeout}, then the rest are cut. Returns once the server is down.
     */
    public void stop() throws Exception {
        server.stop();
    }

    /**
     * Closes everything in reverse order of creation: the debug server, the registry server, the
     * health check, the upload purger, the descriptor cache, the driver. One that fails to close
     * does not keep the others open: the first failure is thrown with the rest suppressed on it.
     * Runs once; later calls return at once.
     */
    @Override
    public void close() throws Exception {
        closer.close();
    }

    private static String where(Config.Storage storage) {
        if (storage.rootDirectory() != null) {
            return " at " + storage.rootDirectory();
        }
        if (storage.s3() != null) {
            return " in bucket " + storage.s3().bucket() + storage.s3().rootDirectory()
                    + (storage.s3().regionEndpoint() == null ? "" : " at " + storage.s3().regionEndpoint());
        }
        return "";
    }

    /** {@code health.storagedriver}: probes the driver in the background when enabled, else null. */
    private static StorageDriverCheck storageDriverCheck(StorageDriver driver, Config.StorageDriverCheck settings, Health health) {
        if (!settings.enabled()) {
            return null;
        }
        // Listing the root is a call every driver must answer; an empty root is a list of nothing.
        StorageDriverCheck check = new StorageDriverCheck(driver.name(), () -> driver.list("/"), settings.interval(),
                settings.threshold());
        health.register(check.name(), check::status);
        return check.start();
    }

    /** Cache hits, misses and errors under Distribution's metric, {@code registry_storage_cache_total{type}}, by cache. */
    private static void countCache(DescriptorCache cache, Metrics metrics) {
        String help = "Descriptor cache lookups by outcome: Hit, Miss, or Error (the request went to storage).";
        cache.stats().ifPresent(stats -> {
            metrics.counter("registry_storage_cache_total", help, Map.of("cache", stats.name(), "type", "Hit"), stats::hits);
            metrics.counter("registry_storage_cache_total", help, Map.of("cache", stats.name(), "type", "Miss"), stats::misses);
            metrics.counter("registry_storage_cache_total", help, Map.of("cache", stats.name(), "type", "Error"), stats::errors);
        });
    }

    private static DescriptorCache descriptorCache(Config config, Ticker ticker) {
        Config.Cache settings = config.storage().cache();
        return switch (settings.blobDescriptor()) {
            case "inmemory" -> DescriptorCache.of(new InMemoryBlobDescriptorService(settings.blobDescriptorSize()), ticker);
            case "redis" -> DescriptorCache.of(new RedisBlobDescriptorService(LayerSettings.redis(config.redis()), ticker), ticker);
            default -> DescriptorCache.none();
        };
    }

    /**
     * The clock as the caches' intervals read it. The system clock is read through
     * {@code System.nanoTime}, which setting the wall clock does not move, so a clock set back
     * cannot pause Redis for the difference; any other clock (a test's) is read as it is.
     */
    static Ticker ticker(Clock clock) {
        if (clock.getClass() == Clock.systemUTC().getClass()) {
            return Ticker.systemTicker();
        }
        return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    }

    /** The driver {@code storage} names, unwrapped. */
    static StorageDriver storageDriver(Config.Storage storage) {
        return switch (storage.driver()) {
            case "inmemory" -> new InMemoryDriver();
            case "filesystem" -> new FilesystemDriver(storage.rootDirectory().toAbsolutePath());
            case "s3" -> new S3Driver(LayerSettings.s3(storage.s3()), LayerSettings.partBuffers(storage.s3().partBuffers()));
            default -> throw new ConfigException("storage." + storage.driver() + ": Berth has no such driver");
        };
    }

    /**
     * {@code storage.maintenance.gc}: collects in the background, one replica at a time (the lease is
     * in Redis when {@code redis.addr} is set, else in storage).
     */
    private static OnlineCollector onlineCollector(Config config, StorageDriver driver, DescriptorCache cache, GcClaims claims,
            Clock clock, Metrics metrics) throws IOException {
        Config.Gc gc = config.storage().gc();
        String owner = ProcessHandle.current().pid() + "@" + UUID.randomUUID();
        Lease lease = config.redis() == null || config.redis().addr() == null || config.redis().addr().isBlank()
                ? new StorageLease(driver, owner, clock, OnlineCollector.LEASE_TTL, Duration.ofSeconds(2))
                : new RedisLease(LayerSettings.redis(config.redis()), owner, OnlineCollector.LEASE_TTL);
        OnlineCollector collector = new OnlineCollector(driver, cache, claims, lease, owner, clock,
                new OnlineCollector.Settings(gc.interval(), gc.delay(), gc.untagged()));
        if (metrics != null) {
            countCollections(collector.stats(), metrics);
        }
        log.info("online garbage collection every {}, sparing blobs younger than {}{}", gc.interval(), gc.delay(),
                gc.untagged() ? ", deleting untagged manifests" : "");
        return collector.start();
    }

    private static void countCollections(OnlineCollector.Stats stats, Metrics metrics) {
        for (String outcome : List.of("success", "failure", "skipped")) {
            metrics.counter("berth_gc_runs_total", "Online garbage collections by outcome (skipped: another replica held the lease).",
                    Map.of("outcome", outcome), () -> stats.runs(outcome));
        }
        metrics.counter("berth_gc_blobs_deleted_total", "Blobs deleted by online garbage collection.", Map.of(), stats::blobsDeleted);
        metrics.counter("berth_gc_bytes_deleted_total", "Bytes of blobs deleted by online garbage collection.", Map.of(),
                stats::bytesDeleted);
        metrics.counter("berth_gc_manifests_deleted_total", "Untagged manifests deleted by online garbage collection.", Map.of(),
                stats::manifestsDeleted);
        metrics.gauge("berth_gc_last_run_duration_seconds", "How long the last online garbage collection took.", Map.of(),
                stats::lastDurationSeconds);
        metrics.gauge("berth_gc_last_success_timestamp_seconds", "When the last online garbage collection succeeded.", Map.of(),
                stats::lastSuccessSeconds);
    }

    /** {@code storage.maintenance.catalog.interval}: finds repositories other writers of the root added or removed. */
    private static void reconcileCatalog(ScheduledExecutorService executor, Catalog catalog, Config.Storage storage) {
        long interval = storage.catalogInterval().toMillis();
        if (interval == 0 || storage.readOnly()) {
            return; // read-only: storage must not change, not even Berth's own index
        }
        executor.scheduleWithFixedDelay(() -> {
            try {
                Catalog.Reconciled done = catalog.reconcile();
                if (done.added() + done.removed() > 0) {
                    log.info("catalog reconciled with storage: {} repositories, {} added, {} removed",
                            done.repositories(), done.added(), done.removed());
                }
            } catch (Exception e) {
                log.warn("catalog reconcile failed: {}", e.toString());
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** {@code proxy}: the pull-through cache in front of {@code registry}, with its counters; null when the registry is no cache. */
    private static ProxyNamespace pullThroughCache(Config config, Registry registry, StorageDriver driver, Clock clock, Metrics metrics)
            throws IOException {
        if (!config.proxy().enabled()) {
            return null;
        }
        if (config.storage().readOnly()) {
            throw new ConfigException("proxy: a pull-through cache stores what it fetches; it cannot run with"
                    + " storage.maintenance.readonly.enabled");
        }
        ProxyNamespace proxy = ProxyNamespace.start(registry, driver, Proxies.remotes(config.proxy()), Proxies.SETTINGS, clock);
        if (metrics != null) {
            Proxies.count(proxy, metrics);
        }
        return proxy;
    }

    private static ScheduledExecutorService startPurging(StorageDriver driver, Clock clock, Config.Storage storage) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("maintenance").factory());
        Config.UploadPurging purging = storage.uploadPurging();
        if (!storage.readOnly()) {
            // Whether or not uploads are purged: a crash's temporary files are swept once at start.
            executor.execute(() -> UploadPurger.removeStaleTemporaryFiles(driver));
        }
        if (purging.enabled() && storage.readOnly()) {
            // Read-only mode is for maintenance such as garbage collection: storage must not change under it.
            log.info("upload purging is off while the registry is read-only");
        } else if (purging.enabled() && !purging.interval().isZero()) {
            UploadPurger purger = new UploadPurger(driver, clock, purging.age(), purging.dryRun());
            long interval = purging.interval().toMillis();
            executor.scheduleWithFixedDelay(() -> {
                try {
                    purger.purge();
                } catch (Exception e) {
                    log.warn("upload purging failed: {}", e.toString());
                }
            }, Math.min(interval, TimeUnit.MINUTES.toMillis(1)), interval, TimeUnit.MILLISECONDS);
        }
        return executor;
    }

    /** {@code http.secret}, else the key kept in storage, made at the first start (see {@link StoredSecret}). */
    private static byte[] secret(String configured, StorageDriver driver, boolean readOnly) throws IOException {
        if (configured != null && !configured.isEmpty()) {
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        byte[] stored = StoredSecret.loadOrCreate(driver, !readOnly);
        if (stored != null) {
            log.info("http.secret is not set: upload links are signed with the key kept in storage, shared by "
                    + "every replica over it; set REGISTRY_HTTP_SECRET to choose one");
            return stored;
        }
        log.warn("http.secret is not set and the read-only registry has no key in storage: using a random key, "
                + "so upload links will not survive a restart nor work across replicas; set REGISTRY_HTTP_SECRET");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
