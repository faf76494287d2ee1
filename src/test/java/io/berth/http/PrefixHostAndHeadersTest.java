package io.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.prefix}, {@code http.host} and {@code http.headers}: where the API lives, the URLs it hands out, what every answer carries. */
class PrefixHostAndHeadersTest {

    @TempDir
    Path dir;

    @Test
    void prefixServesTheApiUnderItAndOnlyThere() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(dir.resolve("root")).env("REGISTRY_HTTP_PREFIX", "/registry/").start()) {
            assertThat(registry.get("/registry/v2/").statusCode()).isEqualTo(200);
            assertThat(registry.get("/registry/v2").statusCode()).isEqualTo(200);
            HttpResponse<byte[]> outside = registry.get("/v2/");
            assertThat(outside.statusCode()).isEqualTo(404);
            assertThat(TestRegistry.errorCode(outside)).isEqualTo("NOT_FOUND");
            assertThat(registry.get("/registryv2/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void locationsAndLinksCarryThePrefixAndAChunkedPushFollowsThem() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(dir.resolve("root")).env("REGISTRY_HTTP_PREFIX", "/registry").start()) {
            byte[] blob = "a layer under a prefix".getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(blob);
            HttpResponse<byte[]> start = registry.send("POST", "/registry/v2/team/app/blobs/uploads/", null);
            assertThat(start.statusCode()).isEqualTo(202);
            String location = start.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/registry/v2/team/app/blobs/uploads/");

            HttpResponse<byte[]> patch = registry.send("PATCH", location, blob, "Content-Range", "0-" + (blob.length - 1));
            assertThat(patch.statusCode()).isEqualTo(202);
            location = patch.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/registry/v2/team/app/blobs/uploads/");

            HttpResponse<byte[]> done = registry.send("PUT", TestRegistry.withQuery(location, "digest=" + digest), null);
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(done.headers().firstValue("Location")).hasValue("/registry/v2/team/app/blobs/" + digest);
            assertThat(registry.get("/registry/v2/team/app/blobs/" + digest).body()).isEqualTo(blob);

            byte[] manifest = manifest(digest, blob.length);
            HttpResponse<byte[]> pushed = registry.send("PUT", "/registry/v2/team/app/manifests/v1", manifest,
                    "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(pushed.statusCode()).isEqualTo(201);
            assertThat(pushed.headers().firstValue("Location")).hasValue("/registry/v2/team/app/manifests/" + Digest.sha256(manifest));
            assertThat(registry.send("PUT", "/registry/v2/team/app/manifests/v2", manifest, "Content-Type", MediaTypes.OCI_MANIFEST)
                    .statusCode()).isEqualTo(201);

            HttpResponse<byte[]> tags = registry.get("/registry/v2/team/app/tags/list?n=1");
            assertThat(tags.headers().firstValue("Link")).hasValue("</registry/v2/team/app/tags/list?last=v1&n=1>; rel=\"next\"");
            assertThat(registry.send("POST", "/registry/v2/other/blobs/uploads/?digest=" + digest, blob).statusCode()).isEqualTo(201);
            assertThat(registry.send("PUT", "/registry/v2/other/manifests/v1", manifest, "Content-Type", MediaTypes.OCI_MANIFEST)
                    .statusCode()).isEqualTo(201);
            assertThat(registry.get("/registry/v2/_catalog?n=1").headers().firstValue("Link"))
                    .hasValue("</registry/v2/_catalog?last=other&n=1>; rel=\"next\"");
        }
    }

    @Test
    void hostMakesLocationsAbsoluteOnThatHost() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(dir.resolve("root"))
                .env("REGISTRY_HTTP_HOST", "https://registry.example.com:8443/ignored/path")
                .env("REGISTRY_HTTP_PREFIX", "/mirror/")
                .start()) {
            HttpResponse<byte[]> start = registry.send("POST", "/mirror/v2/team/app/blobs/uploads/", null);
            assertThat(start.statusCode()).isEqualTo(202);
            String location = start.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("https://registry.example.com:8443/mirror/v2/team/app/blobs/uploads/");

            // A client follows the absolute Location on its own connection to the registry.
            String path = URI.create(location).getRawPath() + "?" + URI.create(location).getRawQuery();
            byte[] blob = "absolute".getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(blob);
            HttpResponse<byte[]> done = registry.send("PUT", TestRegistry.withQuery(path, "digest=" + digest), blob);
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(done.headers().firstValue("Location")).hasValue("https://registry.example.com:8443/mirror/v2/team/app/blobs/" + digest);

            HttpResponse<byte[]> manifest = registry.send("PUT", "/mirror/v2/team/app/manifests/v1", manifest(digest, blob.length),
                    "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(manifest.headers().firstValue("Location").orElseThrow())
                    .startsWith("https://registry.example.com:8443/mirror/v2/team/app/manifests/sha256:");
        }
    }

    @Test
    void configuredHeadersAreOnEveryResponse() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                http:
                  headers:
                    X-Content-Type-Options: [nosniff]
                    Strict-Transport-Security: [max-age=63072000]
                    X-Served-By: [berth, test]
                storage:
                  filesystem:
                    rootdirectory: /unused
                """);
        try (TestRegistry registry = TestRegistry.builder(dir.resolve("root")).config(config).start()) {
            Digest digest = registry.push("team/app", "headers".getBytes(StandardCharsets.UTF_8));
            List<HttpResponse<byte[]>> responses = List.of(
                    registry.get("/v2/"),
                    registry.head("/v2/team/app/blobs/" + digest),
                    registry.get("/v2/team/app/blobs/" + digest),
                    registry.get("/v2/team/app/manifests/missing"),
                    registry.send("POST", "/v2/team/app/blobs/uploads/", null),
                    registry.send("PATCH", "/v2/", null),
                    registry.get("/nowhere"));
            for (HttpResponse<byte[]> response : responses) {
                assertThat(response.headers().allValues("X-Content-Type-Options")).as(response.toString()).containsExactly("nosniff");
                assertThat(response.headers().allValues("Strict-Transport-Security")).as(response.toString()).containsExactly("max-age=63072000");
                assertThat(response.headers().allValues("X-Served-By")).as(response.toString()).containsExactly("berth", "test");
                assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
            }
        }
    }

    private static byte[] manifest(Digest layer, long size) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, layer, size));
        manifest.put("layers", List.of(Images.descriptor(Images.OCI_LAYER, layer, size)));
        return Images.json(manifest);
    }
}
