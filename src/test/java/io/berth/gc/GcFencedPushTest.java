package io.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.storage.GcClaims;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pushes to a registry with online collection on, while the test plays the collector of another
 * replica (it holds the lease, so the registry's own collector stays idle): a manifest PUT waits for
 * a sweep of its blobs, then trusts storage rather than its descriptor cache.
 */
class GcFencedPushTest {

    static Path root;
    static TestRegistry registry;
    static Images images;
    static FilesystemDriver driver;
    static GcClaims claims;
    static StorageLease held;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("gc-fenced");
        driver = new FilesystemDriver(root);
        claims = GcClaims.on(driver);
        held = new StorageLease(driver, "the-test", Clock.systemUTC(), Duration.ofMinutes(30), Duration.ZERO);
        assertThat(held.acquire()).isTrue();
        registry = TestRegistry.builder(root).clock(Clock.systemUTC())
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true")
                .env("REGISTRY_STORAGE_MAINTENANCE_GC_INTERVAL", "1s")
                .start();
        images = new Images(registry);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        held.release();
        driver.close();
    }

    @SuppressWarnings("unchecked")
    private static Digest layer(Map<String, Object> manifest) {
        return Digest.parse((String) ((List<Map<String, Object>>) manifest.get("layers")).getFirst().get("digest"));
    }

    private static Path v2() {
        return root.resolve("docker/registry/v2");
    }

    private static CompletableFuture<HttpResponse<byte[]>> putLater(String repository, Map<String, Object> manifest) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return images.put(repository, "latest", Images.json(manifest), (String) manifest.get("mediaType"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitClaim() throws Exception {
        Path folder = v2().resolve("_berth/gc/claims");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(Files.isDirectory(folder) && hasFiles(folder))) {
            assertThat(System.nanoTime()).as("the PUT claims its blobs").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static boolean hasFiles(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.findAny().isPresent();
        }
    }

    @Test
    void aManifestPutWaitsForASweepOfItsBlobsAndFailsWhenTheSweepDeletedThem() throws Exception {
        Map<String, Object> manifest = images.image("fenced/deleted", "deleted", 1);
        Digest layer = layer(manifest);
        assertThat(registry.head("/v2/fenced/deleted/blobs/" + layer).statusCode()).isEqualTo(200); // cached as present

        claims.announceSweep(Set.of(layer), java.time.Instant.now());
        CompletableFuture<HttpResponse<byte[]>> put = putLater("fenced/deleted", manifest);
        awaitClaim();
        assertThat(put).isNotDone();
        // The sweep of another replica: this registry's cache still holds the blob.
        deleteTree(v2().resolve("blobs/sha256/" + layer.hex().substring(0, 2) + "/" + layer.hex()));
        deleteTree(v2().resolve("repositories/fenced/deleted/_layers/sha256/" + layer.hex()));
        claims.endSweep();

        HttpResponse<byte[]> answer = put.get(20, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(TestRegistry.errorCode(answer)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(registry.get("/v2/fenced/deleted/manifests/latest").statusCode()).isEqualTo(404);
    }

    @Test
    void aManifestPutWaitsForASweepOfItsBlobsAndIsStoredWhenTheSweepKeptThem() throws Exception {
        Map<String, Object> manifest = images.image("fenced/kept", "kept", 1);
        Digest layer = layer(manifest);

        claims.announceSweep(Set.of(layer), java.time.Instant.now());
        CompletableFuture<HttpResponse<byte[]>> put = putLater("fenced/kept", manifest);
        awaitClaim();
        assertThat(put).isNotDone();
        claims.endSweep();

        assertThat(put.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/fenced/kept/manifests/latest").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/fenced/kept/blobs/" + layer).statusCode()).isEqualTo(200);
    }

    @Test
    void aBlobPushedAgainOrMountedIsMarkedTouchedSoACollectionSparesItForItsDelay() throws Exception {
        byte[] content = "pushed twice".getBytes();
        Digest digest = registry.push("touched/a", content);
        Path marker = v2().resolve("_berth/gc/touched/sha256/" + digest.hex());
        assertThat(marker).doesNotExist(); // new data is young by its own time

        assertThat(registry.push("touched/b", content)).isEqualTo(digest);
        assertThat(marker).exists();
        Files.delete(marker);

        HttpResponse<byte[]> mount = registry.send("POST", "/v2/touched/c/blobs/uploads/?mount=" + digest + "&from=touched/a", null);
        assertThat(mount.statusCode()).isEqualTo(201);
        assertThat(marker).exists();
        assertThat(claims.touchedSince(java.time.Instant.now().minusSeconds(60))).contains(digest);
    }

    @Test
    void withCollectionOffAPushWritesNothingForIt() throws Exception {
        Path other = Files.createTempDirectory("gc-off");
        try (TestRegistry off = TestRegistry.start(other)) {
            new Images(off).push("plain/app", "v1", new Images(off).image("plain/app", "off", 1));
            assertThat(other.resolve("docker/registry/v2/_berth/gc")).doesNotExist();
        }
    }

    private static void deleteTree(Path path) throws Exception {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
