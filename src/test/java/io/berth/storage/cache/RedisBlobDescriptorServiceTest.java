package io.berth.storage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.storage.cache.BlobDescriptorService.Lookup;
import io.berth.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

// Alone: it bounds how fast a missing Redis fails, which a busy machine would stretch.
@Isolated
class RedisBlobDescriptorServiceTest extends BlobDescriptorServiceContract {

    private static final int DB = 1;

    private RedisClient rawClient;
    private RedisCommands<String, String> raw;

    @Override
    BlobDescriptorService create() throws Exception {
        return new RedisBlobDescriptorService(RedisServer.shared().settings(DB, RedisServer.PATIENT), Ticker.systemTicker());
    }

    @BeforeEach
    void connectRaw() throws Exception {
        rawClient = RedisClient.create();
        StatefulRedisConnection<String, String> connection = RedisServer.connect(rawClient, RedisServer.shared(), DB);
        raw = connection.sync();
    }

    @AfterEach
    void closeRaw() {
        rawClient.shutdown();
    }

    @Test
    void entriesUseDistributionsKeyLayout() {
        Digest digest = digest("layer");
        fill(Scope.layers(repo), digest, 1234, Descriptor.OCTET_STREAM);
        assertThat(raw.hgetall("blobs::" + digest)).isEqualTo(Map.of(
                "digest", digest.toString(), "size", "1234", "mediatype", Descriptor.OCTET_STREAM));
        assertThat(raw.sismember("repository::" + repo + "::blobs", digest.toString())).isTrue();
        assertThat(raw.hget("repository::" + repo + "::blobs::" + digest, "mediatype")).isEqualTo(Descriptor.OCTET_STREAM);
    }

    @Test
    void manifestRevisionsHaveTheirOwnSetBesideDistributionsBlobsSet() {
        Digest digest = digest("manifest");
        fill(Scope.manifests(repo), digest, 500, OCI_MANIFEST);
        assertThat(raw.sismember("repository::" + repo + "::manifests", digest.toString())).isTrue();
        assertThat(raw.sismember("repository::" + repo + "::blobs", digest.toString())).isFalse();
        assertThat(raw.hget("blobs::" + digest, "size")).isEqualTo("500");
    }

    @Test
    void readsEntriesThatDistributionWrote() {
        Digest digest = digest("from-distribution");
        raw.hset("blobs::" + digest, Map.of("digest", digest.toString(), "size", "77", "mediatype", Descriptor.OCTET_STREAM));
        raw.sadd("repository::" + repo + "::blobs", digest.toString());
        raw.hset("repository::" + repo + "::blobs::" + digest, "mediatype", Descriptor.OCTET_STREAM);
        assertThat(hit(Scope.layers(repo), digest).descriptor()).isEqualTo(Descriptor.of(digest, 77));
        assertThat(hit(Scope.GLOBAL, digest).descriptor()).isEqualTo(Descriptor.of(digest, 77));
    }

    @Test
    void aMembershipWhoseGlobalEntryDistributionClearedIsAMiss() {
        // Distribution's repository-scoped clear removes only the global hash.
        Digest digest = digest("cleared-by-distribution");
        fill(Scope.layers(repo), digest, 10, Descriptor.OCTET_STREAM);
        raw.hdel("blobs::" + digest, "digest", "size", "mediatype");
        miss(Scope.layers(repo), digest);
    }

    @Test
    void anEntryForAnotherDigestOrWithABadSizeIsNotTrusted() {
        Digest digest = digest("odd");
        raw.hset("blobs::" + digest, Map.of("digest", digest("elsewhere").toString(), "size", "10"));
        miss(Scope.GLOBAL, digest);
        Digest badSize = digest("bad-size");
        raw.hset("blobs::" + badSize, Map.of("digest", badSize.toString(), "size", "ten"));
        miss(Scope.GLOBAL, badSize);
    }

    @Test
    void scriptsAreSentAgainWhenRedisForgotThem() {
        Digest digest = digest("flushed-scripts");
        fill(Scope.layers(repo), digest, 10, Descriptor.OCTET_STREAM);
        raw.scriptFlush();
        assertThat(hit(Scope.layers(repo), digest).descriptor().size()).isEqualTo(10);
    }

    @Test
    void aRedisThatIsNotThereFailsFastAndIsUsedOnceItIsThere() throws Exception {
        try (RedisServer later = RedisServer.start()) {
            later.kill();
            try (RedisBlobDescriptorService service = new RedisBlobDescriptorService(later.settings(0), Duration.ofMillis(100), Ticker.systemTicker())) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> service.stat(Scope.GLOBAL, digest("x"))).isInstanceOf(CacheException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
                later.restart();
                Digest digest = digest("after");
                Lookup lookup = eventually(() -> service.stat(Scope.GLOBAL, digest));
                assertThat(lookup).isInstanceOf(Lookup.Miss.class);
            }
        }
    }

    /** The first answer of a call that fails while Redis is coming up, within ten seconds. */
    static <T> T eventually(java.util.function.Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
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
