package io.berth.storage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.storage.cache.BlobDescriptorService.Lookup;
import io.berth.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A Redis that hangs or dies: commands give up quickly, and no delete is forgotten. The pause after
 * a failure runs on a ticker the test moves, so it never waits the pause out.
 */
// Alone: it bounds how long a request waits for a dead or hung Redis, which a busy machine would stretch.
@Isolated
class RedisOutageTest {

    private static final Duration RETRY_AFTER = Duration.ofMillis(500);
    /** Short, yet long enough that a busy test machine does not time out a healthy Redis. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
    private static final RepositoryName REPO = RepositoryName.parse("outage/app");

    private final AtomicLong now = new AtomicLong();
    private RedisServer redis;
    private RedisBlobDescriptorService service;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        service = new RedisBlobDescriptorService(redis.settings(0, READ_TIMEOUT), RETRY_AFTER, now::get);
    }

    @AfterEach
    void stop() {
        service.close();
        redis.close();
    }

    @Test
    void aHungRedisCostsOneShortTimeoutThenIsLeftAlone() throws Exception {
        Digest digest = Digest.sha256("hung".getBytes(StandardCharsets.UTF_8));
        redis.pause();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> service.stat(Scope.layers(REPO), digest)).isInstanceOf(CacheException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(READ_TIMEOUT.multipliedBy(3));
            start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(() -> service.stat(Scope.layers(REPO), digest)).isInstanceOf(CacheException.class);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        } finally {
            redis.resume();
        }
        // Still resting: the pause is over only when the ticker has moved past it.
        assertThatThrownBy(() -> service.stat(Scope.layers(REPO), digest)).isInstanceOf(CacheException.class);
        assertThat(afterPauses(() -> service.stat(Scope.layers(REPO), digest))).isInstanceOf(Lookup.Miss.class);
    }

    @Test
    void aClearThatCouldNotReachRedisIsReplayedBeforeTheCacheIsReadAgain() throws Exception {
        Digest digest = Digest.sha256("deleted while away".getBytes(StandardCharsets.UTF_8));
        service.set(Scope.layers(REPO), digest, Descriptor.of(digest, 10), service.epoch());
        assertThat(service.stat(Scope.layers(REPO), digest)).isInstanceOf(Lookup.Hit.class);
        redis.pause();
        try {
            assertThatThrownBy(() -> service.stat(Scope.layers(REPO), digest)).isInstanceOf(CacheException.class);
            // Redis is resting now: the clear is not even sent, only kept.
            assertThatThrownBy(() -> service.clear(Scope.layers(REPO), digest)).isInstanceOf(CacheException.class);
            assertThat(service.pendingClears()).isEqualTo(1);
        } finally {
            redis.resume();
        }
        // Redis still holds the entry; the first reads replay the clear before answering from it.
        Lookup lookup = afterPauses(() -> service.stat(Scope.layers(REPO), digest));
        assertThat(lookup).isInstanceOf(Lookup.Miss.class);
        assertThat(service.pendingClears()).isZero();
    }

    @Test
    void aKilledRedisIsUsedAgainAfterItRestarts() throws Exception {
        Digest digest = Digest.sha256("restarted".getBytes(StandardCharsets.UTF_8));
        service.set(Scope.GLOBAL, digest, Descriptor.of(digest, 5), service.epoch());
        redis.kill();
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> service.stat(Scope.GLOBAL, digest)).isInstanceOf(CacheException.class);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        redis.restart();
        Lookup lookup = afterPauses(() -> service.stat(Scope.GLOBAL, digest));
        assertThat(lookup).isInstanceOf(Lookup.Miss.class); // a restarted Redis without persistence is empty
        service.set(Scope.GLOBAL, digest, Descriptor.of(digest, 5), ((Lookup.Miss) lookup).epoch());
        assertThat(service.stat(Scope.GLOBAL, digest)).isInstanceOf(Lookup.Hit.class);
    }

    /**
     * The first answer of a call, each try made once the pause after the previous failure is over
     * on the ticker; between tries it waits for Redis to come back, within ten seconds.
     */
    private <T> T afterPauses(Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            now.addAndGet(RETRY_AFTER.toNanos());
            try {
                return call.get();
            } catch (CacheException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
