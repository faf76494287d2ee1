package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Distribution;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Berth as Distribution's pull-through cache ({@code proxy.remoteurl}) of a real, open Distribution 2.8 on loopback. */
class ProxyPullTest {

    @TempDir
    static Path dir;
    static Distribution upstream;
    static TestRegistry cache;

    @BeforeAll
    static void start() throws Exception {
        upstream = Distribution.start(dir.resolve("upstream"));
        cache = TestRegistry.builder(dir.resolve("cache"))
                .env("REGISTRY_PROXY_REMOTEURL", upstream.url())
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0")
                .env("REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", "true").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cache != null) {
            cache.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void manifestsByTagAndDigestAndBlobsComeThroughByteIdentical() throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] small = random(100_000, 1);
        byte[] large = random(3_000_000, 2);
        byte[] manifest = upstream.pushImage("team/app", "1.0", config, small, large);
        Digest digest = Digest.sha256(manifest);

        HttpResponse<byte[]> byTag = cache.get("/v2/team/app/manifests/1.0", "Accept", MediaTypes.OCI_MANIFEST);
        assertThat(byTag.statusCode()).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(manifest);
        assertThat(byTag.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(byTag.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> byDigest = cache.get("/v2/team/app/manifests/" + digest);
        assertThat(byDigest.statusCode()).isEqualTo(200);
        assertThat(byDigest.body()).isEqualTo(manifest);
        HttpResponse<byte[]> head = cache.head("/v2/team/app/manifests/1.0");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());

        for (byte[] blob : List.of(config, small, large)) {
            String path = "/v2/team/app/blobs/" + Digest.sha256(blob);
            HttpResponse<byte[]> first = cache.get(path);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo(blob);
            HttpResponse<byte[]> again = cache.get(path);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(blob);
            assertThat(upstream.gets(path, 1)).as("upstream GETs of " + path).isEqualTo(1);
        }
        HttpResponse<byte[]> range = cache.get("/v2/team/app/blobs/" + Digest.sha256(large), "Range", "bytes=10-19");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(large, 10, 20));

        String metrics = cache.debugGet("/metrics").body();
        String remote = "remote=\"127.0.0.1:" + upstream.port() + "\"";
        assertThat(metrics).containsPattern("berth_proxy_misses_total\\{" + remote + "} [1-9]")
                .containsPattern("berth_proxy_hits_total\\{" + remote + "} [1-9]")
                .containsPattern("berth_proxy_fetched_bytes_total\\{" + remote + "} [1-9]")
                .containsPattern("berth_proxy_cached_bytes\\{" + remote + "} [1-9]");
    }

    @Test
    void eightConcurrentFirstPullsOfA20MegabyteLayerFetchItFromUpstreamOnce() throws Exception {
        byte[] layer = random(20 * 1024 * 1024, 3);
        Digest digest = upstream.pushBlob("team/big", layer);
        String path = "/v2/team/big/blobs/" + digest;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                pulls.add(clients.submit(() -> {
                    go.await();
                    return cache.get(path);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<byte[]>> pull : pulls) {
                HttpResponse<byte[]> response = pull.get();
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(Digest.sha256(response.body())).isEqualTo(digest);
            }
        }
        assertThat(upstream.gets(path, 1)).isEqualTo(1);
    }

    @Test
    void pushesAndDeletesAreRefusedWith405Unsupported() throws Exception {
        byte[] manifest = upstream.pushImage("team/readonly", "1", "{}".getBytes(StandardCharsets.UTF_8), random(10, 4));
        Digest digest = Digest.sha256(manifest);
        assertThat(cache.get("/v2/team/readonly/manifests/1").statusCode()).isEqualTo(200);

        List<HttpResponse<byte[]>> refused = List.of(
                cache.send("POST", "/v2/team/readonly/blobs/uploads/", new byte[0]),
                cache.send("POST", "/v2/team/readonly/blobs/uploads/?digest=" + Digest.sha256(new byte[] {1}), new byte[] {1},
                        "Content-Type", "application/octet-stream"),
                cache.send("PUT", "/v2/team/readonly/manifests/2", manifest, "Content-Type", MediaTypes.OCI_MANIFEST),
                cache.send("DELETE", "/v2/team/readonly/manifests/" + digest, new byte[0]),
                cache.send("DELETE", "/v2/team/readonly/manifests/1", new byte[0]),
                cache.send("DELETE", "/v2/team/readonly/blobs/" + Digest.sha256(random(10, 4)), new byte[0]));
        for (HttpResponse<byte[]> response : refused) {
            assertThat(response.statusCode()).as(response.request().method() + " " + response.uri()).isEqualTo(405);
            assertThat(TestRegistry.errorCode(response)).isEqualTo("UNSUPPORTED");
        }
        assertThat(cache.get("/v2/team/readonly/manifests/" + digest).statusCode()).isEqualTo(200);
    }

    @Test
    void aTagMovedUpstreamIsSeenOnTheNextPull() throws Exception {
        byte[] first = upstream.pushImage("team/moving", "latest", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), random(1000, 5));
        HttpResponse<byte[]> before = cache.get("/v2/team/moving/manifests/latest");
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.body()).isEqualTo(first);

        byte[] second = upstream.pushImage("team/moving", "latest", "{\"v\":2}".getBytes(StandardCharsets.UTF_8), random(1000, 6));
        HttpResponse<byte[]> after = cache.get("/v2/team/moving/manifests/latest");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo(second);
        assertThat(after.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.sha256(second).toString());
        HttpResponse<byte[]> tags = cache.get("/v2/team/moving/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(new String(tags.body(), StandardCharsets.UTF_8)).contains("\"latest\"");
    }

    @Test
    void aBlobWhoseUpstreamBytesDoNotHashToItsDigestIsNeitherServedWholeNorStored() throws Exception {
        byte[] layer = random(2_000_000, 7);
        Digest digest = upstream.pushBlob("team/tampered", layer);
        // Distribution serves its files as they are: change the bytes under it, keeping the size.
        Path data = dir.resolve("upstream/root/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data");
        java.nio.file.Files.write(data, random(layer.length, 8));

        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                HttpResponse<byte[]> response = cache.get("/v2/team/tampered/blobs/" + digest);
                assertThat(response.statusCode() == 200 && Digest.sha256(response.body()).equals(digest)).isFalse();
                assertThat(response.body().length).isLessThan(layer.length);
            } catch (java.io.IOException cut) {
                // the response was cut short before its last byte: what a client must see
            }
        }
        // Once the failed downloads have cancelled their uploads, nothing of the blob is left.
        Path uploads = dir.resolve("cache/docker/registry/v2/repositories/team/tampered/_uploads");
        Await.until(() -> {
            if (!java.nio.file.Files.exists(uploads)) {
                return true;
            }
            try (var open = java.nio.file.Files.list(uploads)) {
                return open.findAny().isEmpty();
            }
        });
        assertThat(uploads).satisfiesAnyOf(u -> assertThat(u).doesNotExist(), u -> assertThat(u).isEmptyDirectory());
        assertThat(dir.resolve("cache/docker/registry/v2/repositories/team/tampered/_layers/sha256/" + digest.hex())).doesNotExist();
        assertThat(dir.resolve("cache/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex())).doesNotExist();
    }

    @Test
    void aBlobOrManifestTheUpstreamLacksIs404() throws Exception {
        HttpResponse<byte[]> manifest = cache.get("/v2/team/nothing/manifests/1.0");
        assertThat(manifest.statusCode()).isEqualTo(404);
        assertThat(TestRegistry.errorCode(manifest)).isEqualTo("MANIFEST_UNKNOWN");
        HttpResponse<byte[]> blob = cache.get("/v2/team/nothing/blobs/" + Digest.sha256(new byte[] {7}));
        assertThat(blob.statusCode()).isEqualTo(404);
        assertThat(TestRegistry.errorCode(blob)).isEqualTo("BLOB_UNKNOWN");
    }
}
