package io.berth;

import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.http.RegistryServer;
import io.berth.storage.Registry;
import io.berth.storage.UploadPurger;
import io.berth.storage.cache.CacheStats;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.cache.InMemoryBlobDescriptorService;
import io.berth.storage.cache.RedisBlobDescriptorService;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.inmemory.InMemoryDriver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
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
    private final AtomicBoolean closed = new AtomicBoolean();

    private Berth(StorageDriver driver, DescriptorCache cache, RegistryServer server, ScheduledExecutorService maintenance) {
        this.driver = driver;
        this.cache = cache;
        this.server = server;
        this.maintenance = maintenance;
    }

    /** Starts a registry; the clock drives upload ages, so tests can move time instead of waiting. */
    public static Berth start(Config config, Clock clock) throws Exception {
        return start(config, clock, storageDriver(config.storage()));
    }

    /** Starts a registry over a driver built by the caller. */
    public static Berth start(Config config, Clock clock, StorageDriver storage) throws Exception {
        StorageDriver driver = CheckedStorageDriver.wrap(storage);
        DescriptorCache cache = descriptorCache(config);
        Registry registry = new Registry(driver, clock, cache);
        ScheduledExecutorService maintenance = startPurging(driver, clock, config.storage());
        RegistryServer server;
        try {
            server = new RegistryServer(registry, httpSettings(config));
        } catch (RuntimeException e) {
            maintenance.shutdownNow();
            cache.close();
            driver.close();
            throw e;
        }
        Berth berth = new Berth(driver, cache, server, maintenance);
        try {
            server.start();
        } catch (Exception e) {
            berth.close();
            throw e;
        }
        log.info("listening on {}:{} with {} storage{}{}{}, descriptor cache {}", config.http().address().getHostString(),
                server.port(), driver.name(),
                config.storage().rootDirectory() == null ? "" : " at " + config.storage().rootDirectory(),
                config.http().tls() == null ? "" : config.http().http2Disabled() ? ", HTTPS" : ", HTTPS and HTTP/2",
                config.storage().readOnly() ? ", read-only" : "", cache.kind());
        return berth;
    }

    private static RegistryServer.Settings httpSettings(Config config) {
        Config.Http http = config.http();
        return new RegistryServer.Settings(http.address(), secret(http.secret()), config.storage().deleteEnabled(),
                config.storage().readOnly(), http.prefix(), http.host(), http.headers(), http.tls(), http.http2Disabled(),
                http.drainTimeout());
    }

    public int port() {
        return server.port();
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
        server.close();
        cache.close();
        driver.close();
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
            default -> throw new ConfigException("storage." + storage.driver() + ": this driver is not built into Berth yet");
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
