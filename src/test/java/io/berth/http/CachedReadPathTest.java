package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.testing.CountingDriver;
import io.berth.testing.Images;
import io.berth.testing.RedisServer;
import io.berth.testing.TestRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With a descriptor cache, repeated reads of the same blob or manifest stop asking storage for its descriptor. */
class CachedReadPathTest {

    static final int REPEATS = 10;

    @TempDir
    Path root;
    CountingDriver storage;
    TestRegistry registry;

    /** The shared Redis's database of this class; each class that uses it has its own, as classes run concurrently. */
    static final int REDIS_DB = 2;

    /**
     * A registry with the given cache (none, inmemory or redis, then in database {@code redisDb},
     * emptied first) over a counted filesystem driver.
     */
    static TestRegistry start(Path root, String cache, int redisDb, java.util.function.Consumer<CountingDriver> counted) throws Exception {
        TestRegistry.Builder builder = TestRegistry.builder(root).driver(path -> {
            CountingDriver driver = new CountingDriver(new FilesystemDriver(path));
            counted.accept(driver);
            return driver;
        });
        if (!cache.equals("none")) {
            builder.env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", cache);
        }
        if (cache.equals("redis")) {
            RedisServer redis = RedisServer.shared();
            redis.flush(redisDb);
            builder.env("REGISTRY_REDIS_ADDR", redis.addr()).env("REGISTRY_REDIS_DB", String.valueOf(redisDb))
                    .env("REGISTRY_REDIS_READTIMEOUT", RedisServer.PATIENT.toSeconds() + "s");
        }
        return builder.start();
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    /** Stats and reads of small files: how storage is asked for descriptors and links. */
    long descriptorReads() {
        return storage.count("stat", "") + storage.count("getContent", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "inmemory", "redis"})
    void repeatedBlobHeadsAndGetsAskStorageForTheDescriptorOnlyWithoutACache(String cache) throws Exception {
        registry = start(root, cache, REDIS_DB, d -> storage = d);
        byte[] content = "a layer read again and again".getBytes();
        Digest digest = registry.push("app", content);
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
        storage.reset();
        for (int i = 0; i < REPEATS; i++) {
            assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
        }
        if (cache.equals("none")) {
            // The link and the data's stat, for each request.
            assertThat(storage.count("getContent", "/_layers/")).isEqualTo(2 * REPEATS);
            assertThat(storage.count("stat", "/blobs/")).isEqualTo(2 * REPEATS);
        } else {
            assertThat(descriptorReads()).as(storage.snapshot().toString()).isZero();
            assertThat(storage.count("channel", "/blobs/")).isEqualTo(REPEATS); // the bytes themselves
            assertThat(registry.cacheStats().hits()).isGreaterThanOrEqualTo(2 * REPEATS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "inmemory", "redis"})
    void repeatedManifestGetsByDigestReadOnlyTheManifestWithACache(String cache) throws Exception {
        registry = start(root, cache, REDIS_DB, d -> storage = d);
        Images images = new Images(registry);
        Digest digest = images.push("app", "v1", images.image("app", "cached", 2));
        assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        storage.reset();
        for (int i = 0; i < REPEATS; i++) {
            assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        }
        if (cache.equals("none")) {
            assertThat(storage.count("getContent", "/_manifests/revisions/")).isEqualTo(REPEATS);
        } else {
            assertThat(storage.count("stat", "")).isZero();
            assertThat(storage.count("getContent", "/_manifests/")).isZero();
            assertThat(storage.count("getContent", "/blobs/")).isEqualTo(REPEATS); // the manifest's bytes
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "inmemory", "redis"})
    void repeatedManifestHeadsByDigestDoNotTouchStorageWithACache(String cache) throws Exception {
        registry = start(root, cache, REDIS_DB, d -> storage = d);
        Images images = new Images(registry);
        Digest digest = images.push("app", "v1", images.image("app", "headed", 1));
        var first = registry.head("/v2/app/manifests/" + digest);
        assertThat(first.statusCode()).isEqualTo(200);
        storage.reset();
        for (int i = 0; i < REPEATS; i++) {
            var response = registry.head("/v2/app/manifests/" + digest);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().map()).containsAllEntriesOf(java.util.Map.of(
                    "content-type", first.headers().allValues("content-type"),
                    "content-length", first.headers().allValues("content-length"),
                    "docker-content-digest", java.util.List.of(digest.toString())));
        }
        if (cache.equals("none")) {
            assertThat(descriptorReads()).isGreaterThanOrEqualTo(REPEATS);
        } else {
            assertThat(storage.snapshot()).isEmpty();
        }
    }
}
