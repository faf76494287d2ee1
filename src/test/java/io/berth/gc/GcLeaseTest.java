package io.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.s3.S3Driver;
import io.berth.testing.MutableClock;
import io.berth.testing.RedisServer;
import io.berth.testing.S3Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The gc lease, in storage (filesystem and S3) and in Redis: one holder at a time, until it expires or gives it up. */
class GcLeaseTest {

    private static final Duration TTL = Duration.ofSeconds(60);
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static Path folder;
    static String bucket;
    static final List<AutoCloseable> OPEN = new ArrayList<>();

    @BeforeAll
    static void storage() throws Exception {
        folder = Files.createTempDirectory("gc-lease");
        bucket = S3Proxy.shared().createBucket("gc-lease");
    }

    @AfterAll
    static void close() throws Exception {
        for (AutoCloseable open : OPEN) {
            open.close();
        }
    }

    /** Makes two leases of different owners over one fresh root of a driver. */
    static Stream<Arguments> stores() {
        return Stream.of(
                Arguments.of("filesystem", (BiFunction<String, String, Lease>) (root, owner) ->
                        new StorageLease(opened(new FilesystemDriver(folder.resolve(root))), owner, CLOCK, TTL, Duration.ofMillis(300))),
                Arguments.of("s3", (BiFunction<String, String, Lease>) (root, owner) ->
                        new StorageLease(opened(new S3Driver(S3Proxy.shared().settings(bucket).withRootDirectory("/" + root))), owner,
                                CLOCK, TTL, Duration.ofMillis(300))));
    }

    private static StorageDriver opened(StorageDriver driver) {
        OPEN.add(driver);
        return driver;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aStorageLeaseHasOneHolderUntilItIsReleased(String kind, BiFunction<String, String, Lease> leases) throws Exception {
        String root = "root-" + ROOTS.incrementAndGet();
        Lease a = leases.apply(root, "a");
        Lease b = leases.apply(root, "b");

        assertThat(a.acquire()).isTrue();
        assertThat(b.acquire()).isFalse();
        assertThat(a.renew()).isTrue();
        assertThat(b.renew()).isFalse();
        b.release(); // not b's: changes nothing
        assertThat(b.acquire()).isFalse();
        a.release();
        assertThat(b.acquire()).isTrue();
        assertThat(a.acquire()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anExpiredStorageLeaseGoesToTheNextTakerAndItsOldHolderLearnsSoOnRenewal(String kind, BiFunction<String, String, Lease> leases)
            throws Exception {
        String root = "root-" + ROOTS.incrementAndGet();
        Lease a = leases.apply(root, "a");
        Lease b = leases.apply(root, "b");
        assertThat(a.acquire()).isTrue();

        CLOCK.advance(TTL.plusSeconds(1));

        assertThat(b.acquire()).isTrue();
        assertThat(a.renew()).isFalse();
        assertThat(a.acquire()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void ofReplicasTakingAFreeStorageLeaseAtOnceExactlyOneHoldsIt(String kind, BiFunction<String, String, Lease> leases) throws Exception {
        String root = "root-" + ROOTS.incrementAndGet();
        List<Callable<Boolean>> takers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Lease lease = leases.apply(root, "replica-" + i);
            takers.add(lease::acquire);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            long holders = 0;
            for (Future<Boolean> took : pool.invokeAll(takers)) {
                holders += took.get() ? 1 : 0;
            }
            assertThat(holders).isEqualTo(1);
        }
    }

    @Test
    void aRedisLeaseHasOneHolderAndExpires() throws Exception {
        RedisServer redis = RedisServer.shared();
        try (RedisLease a = new RedisLease(redis.settings(11), "a-" + ROOTS.incrementAndGet(), Duration.ofMillis(500));
                RedisLease b = new RedisLease(redis.settings(11), "b-" + ROOTS.incrementAndGet(), Duration.ofSeconds(30))) {
            assertThat(a.acquire()).isTrue();
            assertThat(b.acquire()).isFalse();
            assertThat(b.renew()).isFalse();
            assertThat(a.renew()).isTrue();
            a.release();
            assertThat(b.acquire()).isTrue();
            assertThat(a.acquire()).isFalse();
            b.release();

            assertThat(a.acquire()).isTrue();
            // a stops renewing: Redis lets the key expire, and b takes it
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean took = false;
            while (!took && System.nanoTime() < deadline) {
                took = b.acquire();
                Thread.sleep(50); // polling Redis for the expiry, not timing it
            }
            assertThat(took).isTrue();
            assertThat(a.renew()).isFalse();
            b.release();
        }
    }
}
