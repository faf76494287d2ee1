package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Distribution;
import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cached content goes once {@code proxy.ttl} has passed, on the cache's clock, even across a restart:
 * the expiry entries are kept in storage. The test's clock only moves when the test moves it, so
 * nothing can expire before the restart.
 */
class ProxyExpiryTest {

    @TempDir
    static Path dir;
    static Distribution upstream;
    static TestRegistry cache;
    static final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeAll
    static void start() throws Exception {
        upstream = Distribution.start(dir.resolve("upstream"));
        cache = TestRegistry.builder(dir.resolve("cache")).clock(clock)
                .env("REGISTRY_PROXY_REMOTEURL", upstream.url())
                .env("REGISTRY_PROXY_TTL", "2s").start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {cache, upstream}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void contentIsRemovedAfterTheTtlAlsoWhenTheCacheRestartedInBetween() throws Exception {
        byte[] layer = ProxyPullTest.random(10_000, 41);
        byte[] manifest = upstream.pushImage("team/app", "1", "{}".getBytes(StandardCharsets.UTF_8), layer);
        String blobPath = "/v2/team/app/blobs/" + Digest.sha256(layer);
        assertThat(cache.get("/v2/team/app/manifests/1").statusCode()).isEqualTo(200);
        assertThat(cache.get(blobPath).statusCode()).isEqualTo(200);
        Path repository = dir.resolve("cache/docker/registry/v2/repositories/team/app");
        Path blobLink = repository.resolve("_layers/sha256/" + Digest.sha256(layer).hex() + "/link");
        Path manifestLink = repository.resolve("_manifests/revisions/sha256/" + Digest.sha256(manifest).hex() + "/link");
        Path tagLink = repository.resolve("_manifests/tags/1/current/link");
        Path entries = dir.resolve("cache/docker/registry/v2/_berth/proxy/expiry");
        // A client has the whole blob once its bytes hash right; the cache stores it just after.
        Await.until(() -> Files.exists(blobLink) && files(entries).size() == 2);
        assertThat(List.of(blobLink, manifestLink, tagLink)).allMatch(Files::exists);
        assertThat(files(entries)).hasSize(2);

        cache.restart();
        assertThat(List.of(blobLink, manifestLink, tagLink)).as("nothing is due before the clock moves").allMatch(Files::exists);
        clock.advance(Duration.ofSeconds(3));
        Await.until(() -> !Files.exists(blobLink) && !Files.exists(manifestLink) && files(entries).isEmpty());
        assertThat(List.of(blobLink, manifestLink, tagLink)).noneMatch(Files::exists);
        assertThat(files(entries)).isEmpty();

        // Pulled again, it comes from the upstream again.
        HttpResponse<byte[]> again = cache.get(blobPath);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(layer);
        assertThat(upstream.gets(blobPath, 2)).isEqualTo(2);
    }

    private static List<Path> files(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
