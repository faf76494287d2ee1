package io.berth;

import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.http.RegistryServer;
import io.berth.observe.AccessLog;
import io.berth.observe.DebugServer;
import io.berth.observe.Health;
import io.berth.observe.Metrics;
import io.berth.observe.StorageDriverCheck;
import io.berth.storage.Registry;
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
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds a running registry from a configuration, and takes it down again. */
public final class Berth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Berth.class);

    private final StorageDriver driver;
    private final DescriptorCache cache;
    private final RegistryServer server;
    private final ScheduledExecutorService maintenance;
    private final StorageDriverCheck healthCheck;
    private final DebugServer debug;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Berth(StorageDriver driver, DescriptorCache cache, RegistryServer server, ScheduledExecutorService maintenance,
            StorageDriverCheck healthCheck, DebugServer debug) {
        this.driver = driver;
        this.cache = cache;
        this.server = server;
        this.maintenance = maintenance;
        this.healthCheck = healthCheck;
        this.debug = debug;
    }

    /** Starts a registry; the clock drives upload ages, so tests can move time instead of waiting. */
    public static Berth start(Config config, Clock clock) throws Exception {
        return start(config, clock, storageDriver(config.storage()));
    }

    /** Starts a registry over a driver built by the caller. */
    public static Berth start(Config config, Clock clock, StorageDriver storage) throws Exception {
        if (log.isDebugEnabled()) {
            log.debug("configuration in force:\n{}", config.effectiveYaml().stripTrailing());
        }
        Config.Debug debugSettings = config.http().debug();
        Metrics metrics = debugSettings.prometheusEnabled() ? new Metrics() : null;
        StorageDriver driver = CheckedStorageDriver.wrap(metrics == null ? storage : new MeteredStorageDriver(storage, metrics));
        DescriptorCache cache = descriptorCache(config);
        if (metrics != null) {
            countCache(cache, metrics);
        }
        Registry registry = new Registry(driver, clock, cache);
        ScheduledExecutorService maintenance = startPurging(driver, clock, config.storage());
        Health health = new Health();
        StorageDriverCheck healthCheck = storageDriverCheck(driver, config.health().storageDriver(), health);
        RegistryServer server;
        DebugServer debug;
        try {
            server = new RegistryServer(registry, httpSettings(config),
                    config.log().accessLogDisabled() ? null : new AccessLog(), metrics);
            debug = debugSettings.address() == null ? null
                    : new DebugServer(debugSettings.address(), health, metrics, debugSettings.prometheusPath());
        } catch (RuntimeException e) {
            maintenance.shutdownNow();
            if (healthCheck != null) {
                healthCheck.close();
            }
            cache.close();
            driver.close();
            throw e;
        }
        Berth berth = new Berth(driver, cache, server, maintenance, healthCheck, debug);
        try {
            server.start();
            if (debug != null) {
                debug.start();
            }
        } catch (Exception e) {
            berth.close();
            throw e;
        }
        log.info("listening on {}:{} with {} storage{}{}{}, descriptor cache {}", config.http().address().getHostString(),
                server.port(), driver.name(),
                where(config.storage()),
                config.http().tls() == null ? "" : config.http().http2Disabled() ? ", HTTPS" : ", HTTPS and HTTP/2",
                config.storage().readOnly() ? ", read-only" : "", cache.kind());
        if (debug != null) {
            log.info("debug server listening on {}:{}: health at {}{}", debugSettings.address().getHostString(), debug.port(),
                    DebugServer.HEALTH_PATH, metrics == null ? "" : ", metrics at " + debugSettings.prometheusPath());
        }
        return berth;
    }

    private static RegistryServer.Settings httpSettings(Config config) {
        Config.Http http = config.http();
        return new RegistryServer.Settings(http.address(), secret(http.secret()), config.storage().deleteEnabled(),
                config.storage().readOnly(), http.prefix(), http.host(), http.headers(), http.tls(), http.http2Disabled(),
                http.drainTimeout(), !config.storage().redirectDisabled(), http.limits(), config.storage().uploadPurging().age());
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

    /**
     * Stops serving gracefully: no new connections, requests in flight finish within
     * {@code http.draintimeout}, then the rest are cut. Returns once the server is down.
     */
    public void stop() throws Exception {
        server.stop();
    }

    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        maintenance.shutdownNow();
        if (healthCheck != null) {
            healthCheck.close();
        }
        server.close();
        if (debug != null) {
            debug.close();
        }
        cache.close();
        driver.close();
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
        StorageDriverCheck check = new StorageDriverCheck(driver, settings.interval(), settings.threshold());
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

    private static DescriptorCache descriptorCache(Config config) {
        Config.Cache settings = config.storage().cache();
        return switch (settings.blobDescriptor()) {
            case "inmemory" -> DescriptorCache.of(new InMemoryBlobDescriptorService(settings.blobDescriptorSize()));
            case "redis" -> DescriptorCache.of(new RedisBlobDescriptorService(config.redis()));
            default -> DescriptorCache.none();
        };
    }

    private static StorageDriver storageDriver(Config.Storage storage) {
        return switch (storage.driver()) {
            case "inmemory" -> new InMemoryDriver();
            case "filesystem" -> new FilesystemDriver(storage.rootDirectory().toAbsolutePath());
            case "s3" -> new S3Driver(storage.s3());
            default -> throw new ConfigException("storage." + storage.driver() + ": Berth has no such driver");
        };
    }

    private static ScheduledExecutorService startPurging(StorageDriver driver, Clock clock, Config.Storage storage) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("upload-purger").factory());
        Config.UploadPurging purging = storage.uploadPurging();
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

    private static byte[] secret(String configured) {
        if (configured != null && !configured.isEmpty()) {
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        log.warn("http.secret is not set: using a random key, so upload links will not survive a restart "
                + "nor work across replicas; set REGISTRY_HTTP_SECRET");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
