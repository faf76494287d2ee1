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
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.MeteredStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.inmemory.InMemoryDriver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds a running registry from a configuration, and takes it down again. */
public final class Berth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Berth.class);

    private final StorageDriver driver;
    private final RegistryServer server;
    private final ScheduledExecutorService maintenance;
    private final StorageDriverCheck healthCheck;
    private final DebugServer debug;

    private Berth(StorageDriver driver, RegistryServer server, ScheduledExecutorService maintenance,
            StorageDriverCheck healthCheck, DebugServer debug) {
        this.driver = driver;
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
        Registry registry = new Registry(driver, clock);
        ScheduledExecutorService maintenance = startPurging(driver, clock, config.storage().uploadPurging());
        Health health = new Health();
        StorageDriverCheck healthCheck = storageDriverCheck(driver, config.health().storageDriver(), health);
        RegistryServer server = new RegistryServer(registry, new RegistryServer.Settings(
                config.http().address(), secret(config.http().secret()), config.storage().deleteEnabled()),
                config.log().accessLogDisabled() ? null : new AccessLog(), metrics);
        DebugServer debug = debugSettings.address() == null ? null
                : new DebugServer(debugSettings.address(), health, metrics, debugSettings.prometheusPath());
        Berth berth = new Berth(driver, server, maintenance, healthCheck, debug);
        try {
            server.start();
            if (debug != null) {
                debug.start();
            }
        } catch (Exception e) {
            berth.close();
            throw e;
        }
        log.info("listening on {}:{} with {} storage{}", config.http().address().getHostString(), server.port(),
                driver.name(), config.storage().rootDirectory() == null ? "" : " at " + config.storage().rootDirectory());
        if (debug != null) {
            log.info("debug server listening on {}:{}: health at {}{}", debugSettings.address().getHostString(), debug.port(),
                    DebugServer.HEALTH_PATH, metrics == null ? "" : ", metrics at " + debugSettings.prometheusPath());
        }
        return berth;
    }

    public int port() {
        return server.port();
    }

    /** The debug server's port, or -1 when {@code http.debug.addr} is not set. */
    public int debugPort() {
        return debug == null ? -1 : debug.port();
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        maintenance.shutdownNow();
        if (healthCheck != null) {
            healthCheck.close();
        }
        server.close();
        if (debug != null) {
            debug.close();
        }
        driver.close();
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

    private static StorageDriver storageDriver(Config.Storage storage) {
        return switch (storage.driver()) {
            case "inmemory" -> new InMemoryDriver();
            case "filesystem" -> new FilesystemDriver(storage.rootDirectory().toAbsolutePath());
            default -> throw new ConfigException("storage." + storage.driver() + ": this driver is not built into Berth yet");
        };
    }

    private static ScheduledExecutorService startPurging(StorageDriver driver, Clock clock, Config.UploadPurging purging) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("upload-purger").factory());
        if (purging.enabled() && !purging.interval().isZero()) {
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
