package io.berth;

import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.http.RegistryServer;
import io.berth.storage.Registry;
import io.berth.storage.UploadPurger;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.inmemory.InMemoryDriver;
import io.berth.storage.driver.s3.S3Driver;
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

    private Berth(StorageDriver driver, RegistryServer server, ScheduledExecutorService maintenance) {
        this.driver = driver;
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
        Registry registry = new Registry(driver, clock);
        ScheduledExecutorService maintenance = startPurging(driver, clock, config.storage().uploadPurging());
        RegistryServer server = new RegistryServer(registry, new RegistryServer.Settings(
                config.http().address(), secret(config.http().secret()), config.storage().deleteEnabled(),
                !config.storage().redirectDisabled()));
        Berth berth = new Berth(driver, server, maintenance);
        try {
            server.start();
        } catch (Exception e) {
            berth.close();
            throw e;
        }
        log.info("listening on {}:{} with {} storage{}", config.http().address().getHostString(), server.port(),
                driver.name(), where(config.storage()));
        return berth;
    }

    public int port() {
        return server.port();
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        maintenance.shutdownNow();
        server.close();
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

    private static StorageDriver storageDriver(Config.Storage storage) {
        return switch (storage.driver()) {
            case "inmemory" -> new InMemoryDriver();
            case "filesystem" -> new FilesystemDriver(storage.rootDirectory().toAbsolutePath());
            case "s3" -> new S3Driver(storage.s3());
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
