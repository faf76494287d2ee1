package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Distribution;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With its upstream stopped, the cache serves what it holds, tags too, and answers the rest at once with a JSON error. */
class ProxyOutageTest {

    /** Far below any client's timeout, far above a loopback refusal. */
    private static final Duration QUICK = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    static Distribution upstream;
    static TestRegistry cache;
    static byte[] manifest;
    static byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    static byte[] layer = ProxyPullTest.random(500_000, 11);
    static byte[] uncachedLayer = ProxyPullTest.random(1000, 12);
    static Digest uncachedManifest;

    @BeforeAll
    static void cacheOneImageThenStopTheUpstream() throws Exception {
        upstream = Distribution.start(dir.resolve("upstream"));
        cache = TestRegistry.builder(dir.resolve("cache")).env("REGISTRY_PROXY_REMOTEURL", upstream.url()).start();
        manifest = upstream.pushImage("team/app", "1.0", config, layer);
        uncachedManifest = Digest.sha256(upstream.pushImage("team/app", "2.0", config, uncachedLayer));
        assertThat(cache.get("/v2/team/app/manifests/1.0").statusCode()).isEqualTo(200);
        for (byte[] blob : List.of(config, layer)) {
            assertThat(cache.get("/v2/team/app/blobs/" + Digest.sha256(blob)).statusCode()).isEqualTo(200);
        }
        upstream.stop();
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

    @Test
    void cachedManifestsByTagAndDigestAndBlobsAreServed() throws Exception {
        for (String reference : List.of("1.0", Digest.sha256(manifest).toString())) {
            HttpResponse<byte[]> response = cache.get("/v2/team/app/manifests/" + reference);
            assertThat(response.statusCode()).as(reference).isEqualTo(200);
            assertThat(response.body()).isEqualTo(manifest);
        }
        assertThat(cache.head("/v2/team/app/manifests/1.0").statusCode()).isEqualTo(200);
        for (byte[] blob : List.of(config, layer)) {
            HttpResponse<byte[]> response = cache.get("/v2/team/app/blobs/" + Digest.sha256(blob));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(blob);
        }
        HttpResponse<byte[]> tags = cache.get("/v2/team/app/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(new String(tags.body(), StandardCharsets.UTF_8)).contains("\"1.0\"");
    }

    @Test
    void uncachedManifestsAndBlobsAre502JsonQuickly() throws Exception {
        for (String path : List.of("/v2/team/app/manifests/2.0", "/v2/team/app/manifests/" + uncachedManifest,
                "/v2/team/app/blobs/" + Digest.sha256(uncachedLayer), "/v2/team/other/manifests/latest")) {
            long started = System.nanoTime();
            HttpResponse<byte[]> response = cache.get(path);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.statusCode()).as(path).isEqualTo(502);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(TestRegistry.errorCode(response)).isEqualTo("UNAVAILABLE");
            assertThat(took).as(path).isLessThan(QUICK);
        }
    }
}
