package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.CountingDriver;
import io.berth.testing.Images;
import io.berth.testing.RedisServer;
import io.berth.testing.TestRegistry;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A cached descriptor never outlives the link it stands for. */
class CachedDeleteTest {

    @TempDir
    Path root;
    TestRegistry registry;

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    CountingDriver storage;

    /** The shared Redis's database of this class (CachedReadPathTest has 2, RedisBlobDescriptorServiceTest 1, TwoReplicasTest 0). */
    private static final int REDIS_DB = 3;

    private void start(String cache) throws Exception {
        registry = CachedReadPathTest.start(root, cache, REDIS_DB, driver -> storage = driver);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inmemory", "redis"})
    void aDeletedBlobIsUnknownRightAfterTheDelete(String cache) throws Exception {
        start(cache);
        Digest digest = registry.push("app", "deleted layer".getBytes());
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.send("DELETE", "/v2/app/blobs/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(errorCode(registry.get("/v2/app/blobs/" + digest))).isEqualTo("BLOB_UNKNOWN");
        assertThat(registry.send("DELETE", "/v2/app/blobs/" + digest, null).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inmemory", "redis"})
    void aDeletedManifestIsUnknownRightAfterTheDelete(String cache) throws Exception {
        start(cache);
        Images images = new Images(registry);
        Digest digest = images.push("app", "v1", images.image("app", "deleted", 1));
        assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.head("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(errorCode(registry.get("/v2/app/manifests/" + digest))).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(registry.head("/v2/app/manifests/" + digest).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inmemory", "redis"})
    void aRepositoryThatNeverLinkedABlobGetsNothingFromItsCachedEntries(String cache) throws Exception {
        start(cache);
        Images images = new Images(registry);
        Digest blob = registry.push("app", "only in app".getBytes());
        Digest manifest = images.push("app", "v1", images.image("app", "only in app", 1));
        assertThat(registry.head("/v2/app/blobs/" + blob).statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/app/manifests/" + manifest).statusCode()).isEqualTo(200);
        assertThat(registry.head("/v2/elsewhere/blobs/" + blob).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/elsewhere/manifests/" + manifest).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/elsewhere/manifests/" + manifest).statusCode()).isEqualTo(404);
        // A manifest is not a layer of its repository, nor a layer a manifest, cached or not.
        assertThat(registry.head("/v2/app/blobs/" + manifest).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/app/manifests/" + blob).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inmemory", "redis"})
    void aBlobDeletedInOneRepositoryStaysInTheOneThatMountedIt(String cache) throws Exception {
        start(cache);
        Digest digest = registry.push("source", "shared layer".getBytes());
        assertThat(registry.send("POST", "/v2/target/blobs/uploads/?mount=" + digest + "&from=source", null).statusCode()).isEqualTo(201);
        assertThat(registry.head("/v2/target/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.send("DELETE", "/v2/source/blobs/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(registry.head("/v2/source/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/target/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/target/blobs/" + digest).body()).isEqualTo("shared layer".getBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"inmemory", "redis"})
    void aBlobPushedAgainAfterItsDeleteIsServedAgain(String cache) throws Exception {
        start(cache);
        Digest digest = registry.push("app", "back again".getBytes());
        assertThat(registry.send("DELETE", "/v2/app/blobs/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
        registry.push("app", "back again".getBytes());
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inmemory", "redis"})
    void aReadThatSawTheLinkBeforeADeleteDoesNotCacheItAfterwards(String cache) throws Exception {
        start(cache);
        Digest digest = registry.push("race", "raced layer".getBytes());
        String path = "/v2/race/blobs/" + digest;
        // An empty cache, so the next HEAD reads the link from storage.
        registry.restart();
        if (cache.equals("redis")) {
            RedisServer.shared().flush(REDIS_DB);
        }
        CountingDriver.Hold hold = storage.holdNext("getContent", "/_layers/");
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return registry.head(path).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
        hold.awaitReached(); // the reader has read the link and not yet filled the cache
        assertThat(registry.send("DELETE", path, null).statusCode()).isEqualTo(202);
        hold.release();
        assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(200); // it read before the delete
        assertThat(registry.head(path).statusCode()).isEqualTo(404);
        assertThat(registry.get(path).statusCode()).isEqualTo(404);
    }
}
