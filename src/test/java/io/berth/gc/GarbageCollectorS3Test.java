package io.berth.gc;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.s3.S3Driver;
import io.berth.testing.S3Proxy;
import io.berth.testing.TestRegistry;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The collector on the s3 driver, over s3proxy: a bucket for the class, a root directory per test. */
class GarbageCollectorS3Test extends GarbageCollectorContract {

    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static String bucket;

    @TempDir
    Path unused;
    private String rootDirectory;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("gc");
    }

    @AfterAll
    static void emptyBucket() {
        S3Proxy.shared().empty(bucket);
    }

    @Override
    TestRegistry.Builder registryOnFreshRoot() {
        rootDirectory = "/gc-" + ROOTS.incrementAndGet();
        return TestRegistry.builder(unused).s3(S3Proxy.shared(), bucket, rootDirectory).env("REGISTRY_STORAGE_REDIRECT_DISABLE", "true");
    }

    @Override
    StorageDriver driverOnRoot() {
        return new S3Driver(S3Proxy.shared().settings(bucket).withRootDirectory(rootDirectory));
    }
}
