package io.berth.http;

import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.s3.S3Driver;
import io.berth.testing.S3Proxy;
import io.berth.testing.StoredFiles;
import io.berth.testing.TestRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gives each test a fresh registry over its own storage, stopped afterwards. The storage is a
 * filesystem root, or with {@code -Dberth.test.storage=s3} (the build's second run of these tests)
 * a root directory of its own in a bucket of s3proxy, one bucket per test class. Tests that look at
 * what was stored do so through {@link #stored}, the same on both. The tag (inherited) is how the
 * S3 run picks these classes and no others.
 */
@Tag("storage-neutral")
abstract class RegistryTestBase {

    /** Tests that read the filesystem root itself carry this tag, and the run on S3 leaves them out. */
    static final String FILESYSTEM_ONLY = "filesystem-only";

    static final boolean ON_S3 = "s3".equals(System.getProperty("berth.test.storage"));
    private static final AtomicInteger ROOTS = new AtomicInteger();
    // One bucket per test class, by class: the classes run concurrently, so a field shared by them all would be overwritten.
    private static final Map<Class<?>, String> BUCKETS = new ConcurrentHashMap<>();

    @TempDir
    Path root;
    TestRegistry registry;
    StoredFiles stored;

    @BeforeAll
    static void createBucket(TestInfo test) {
        if (ON_S3) {
            BUCKETS.put(test.getTestClass().orElseThrow(), S3Proxy.shared().createBucket("http"));
        }
    }

    @AfterAll
    static void emptyBucket(TestInfo test) {
        if (ON_S3) {
            S3Proxy.shared().empty(BUCKETS.remove(test.getTestClass().orElseThrow()));
        }
    }

    @BeforeEach
    void startRegistry() throws Exception {
        TestRegistry.Builder builder = TestRegistry.builder(root);
        if (ON_S3) {
            String rootDirectory = "/test-" + ROOTS.incrementAndGet();
            // Berth serves the bytes itself here, so that these tests see its own responses; redirects have their test.
            String bucket = BUCKETS.get(getClass());
            builder.s3(S3Proxy.shared(), bucket, rootDirectory).env("REGISTRY_STORAGE_REDIRECT_DISABLE", "true");
            stored = new StoredFiles(new S3Driver(S3Proxy.shared().settings(bucket).withRootDirectory(rootDirectory)));
        } else {
            stored = new StoredFiles(new FilesystemDriver(root));
        }
        registry = builder.start();
    }

    @AfterEach
    void stopRegistry() throws Exception {
        registry.close();
        stored.close();
    }
}
