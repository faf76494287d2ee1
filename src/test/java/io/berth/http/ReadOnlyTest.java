package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage.maintenance.readonly.enabled}: a registry restarted read-only serves what it has and changes nothing. */
class ReadOnlyTest {

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Digest layer;
    private Digest manifest;
    private String uploadLocation;
    private Path uploadDir;

    /** Content pushed, and an upload left half done, by the registry before it restarts read-only. */
    @BeforeEach
    void pushBeforeTheRestart() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(root).clock(clock).start()) {
            Images images = new Images(registry);
            Map<String, Object> image = images.image("team/app", "read-only", 1);
            manifest = images.push("team/app", "v1", image);
            @SuppressWarnings("unchecked")
            Map<String, Object> first = ((List<Map<String, Object>>) image.get("layers")).getFirst();
            layer = Digest.parse((String) first.get("digest"));
            uploadLocation = registry.startUpload("team/app");
            byte[] half = "half an upload".getBytes(StandardCharsets.UTF_8);
            HttpResponse<byte[]> patch = registry.send("PATCH", uploadLocation, half, "Content-Range", "0-" + (half.length - 1));
            assertThat(patch.statusCode()).isEqualTo(202);
            uploadLocation = patch.headers().firstValue("Location").orElseThrow();
        }
        String id = URI.create(uploadLocation).getPath().substring(URI.create(uploadLocation).getPath().lastIndexOf('/') + 1);
        uploadDir = root.resolve("docker/registry/v2/repositories/team/app/_uploads/" + id);
        assertThat(uploadDir).isDirectory();
    }

    private TestRegistry readOnly() throws Exception {
        return TestRegistry.builder(root).clock(clock).env("REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED", "true").start();
    }

    @Test
    void pullsKeepWorking() throws Exception {
        try (TestRegistry registry = readOnly()) {
            assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/team/app/manifests/v1", "Accept", MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(200);
            assertThat(registry.head("/v2/team/app/manifests/" + manifest).statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/team/app/blobs/" + layer).statusCode()).isEqualTo(200);
            assertThat(registry.head("/v2/team/app/blobs/" + layer).statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/team/app/tags/list").statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/_catalog").statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/team/app/referrers/" + manifest).statusCode()).isEqualTo(200);
            HttpResponse<byte[]> status = registry.get(uploadLocation);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).hasValue("0-13");
        }
    }

    @Test
    void everyWriteIsUnsupportedAndChangesNothing() throws Exception {
        byte[] blob = "new content".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        byte[] manifestBytes = Files.readAllBytes(root.resolve("docker/registry/v2/blobs/sha256/"
                + manifest.hex().substring(0, 2) + "/" + manifest.hex() + "/data"));
        try (TestRegistry registry = readOnly()) {
            List<HttpResponse<byte[]>> writes = List.of(
                    registry.send("POST", "/v2/team/app/blobs/uploads/", null),
                    registry.send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest, blob),
                    registry.send("POST", "/v2/other/app/blobs/uploads/?mount=" + layer + "&from=team/app", null),
                    registry.send("PATCH", uploadLocation, blob, "Content-Range", "14-" + (14 + blob.length - 1)),
                    registry.send("PUT", TestRegistry.withQuery(uploadLocation, "digest=" + digest), null),
                    registry.send("DELETE", uploadLocation, null),
                    registry.send("PUT", "/v2/team/app/manifests/v2", manifestBytes, "Content-Type", MediaTypes.OCI_MANIFEST),
                    registry.send("DELETE", "/v2/team/app/manifests/v1", null),
                    registry.send("DELETE", "/v2/team/app/manifests/" + manifest, null),
                    registry.send("DELETE", "/v2/team/app/blobs/" + layer, null));
            for (HttpResponse<byte[]> response : writes) {
                String what = response.request().method() + " " + response.request().uri().getPath();
                assertThat(response.statusCode()).as(what).isEqualTo(405);
                assertThat(TestRegistry.errorCode(response)).as(what).isEqualTo("UNSUPPORTED");
                assertThat(response.headers().firstValue("Allow")).as(what).hasValue("GET, HEAD");
            }
            assertThat(registry.get("/v2/team/app/manifests/v1").statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/team/app/manifests/v2").statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/team/app/blobs/" + layer).statusCode()).isEqualTo(200);
            assertThat(registry.head("/v2/other/app/blobs/" + layer).statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/team/app/blobs/" + digest).statusCode()).isEqualTo(404);
            assertThat(registry.get(uploadLocation).headers().firstValue("Range")).hasValue("0-13");
        }
        // Back to normal, the upload left before the maintenance finishes.
        try (TestRegistry registry = TestRegistry.builder(root).clock(clock).start()) {
            HttpResponse<byte[]> done = registry.send("PUT", TestRegistry.withQuery(uploadLocation,
                    "digest=" + Digest.sha256("half an upload, finished".getBytes(StandardCharsets.UTF_8))),
                    ", finished".getBytes(StandardCharsets.UTF_8));
            assertThat(done.statusCode()).isEqualTo(201);
        }
    }

    @Test
    void uploadPurgingLeavesStorageAloneWhileReadOnly() throws Exception {
        clock.advance(Duration.ofDays(30));
        try (TestRegistry purging = purgingRegistry(true)) {
            Thread.sleep(1500);
            assertThat(uploadDir).as("an old upload survives a read-only registry").isDirectory();
        }
        // The same settings without read-only do purge it, so the check above is not vacuous.
        try (TestRegistry purging = purgingRegistry(false)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Files.exists(uploadDir) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(uploadDir).as("the same upload is purged once writes are allowed").doesNotExist();
        }
    }

    private TestRegistry purgingRegistry(boolean readOnly) throws Exception {
        return TestRegistry.builder(root).clock(clock)
                .env("REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED", String.valueOf(readOnly))
                .env("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "24h")
                .env("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_INTERVAL", "100ms")
                .start();
    }
}
