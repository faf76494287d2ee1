package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Manifests that must be refused, each with the spec's code, leaving nothing stored. */
class BadManifestTest extends RegistryTestBase {

    static final String CONFIG = "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%d}";

    Images images;
    String config;

    @BeforeEach
    void prepare() throws Exception {
        images = new Images(registry);
        byte[] content = "{}".getBytes();
        config = CONFIG.formatted(registry.push("app", content), content.length);
    }

    @AfterEach
    void nothingWasStored() throws Exception {
        assertThat(stored.under("docker/registry/v2/repositories/app/_manifests")).isEmpty();
    }

    private void assertRefused(String body, String contentType, int status, String code) throws Exception {
        HttpResponse<byte[]> response = images.put("app", "v1", body.getBytes(StandardCharsets.UTF_8), contentType);
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        assertThat(errorCode(response)).as(body).isEqualTo(code);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[1,2,3]",
        "{\"schemaVersion\":2,",
        "{\"schemaVersion\":3,\"config\":CONFIG,\"layers\":[]}",
        "{\"schemaVersion\":\"2\",\"config\":CONFIG,\"layers\":[]}",
        "{\"config\":CONFIG,\"layers\":[]}",
        "{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"v1\",\"fsLayers\":[]}",
        "{\"schemaVersion\":2,\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":{}}",
        "{\"schemaVersion\":2,\"config\":CONFIG}",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x/y\",\"digest\":\"sha256:123\",\"size\":2},\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x/y\",\"digest\":\"md5:d41d8cd98f00b204e9800998ecf8427e\",\"size\":2},\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x/y\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":-2},\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x/y\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":\"2\"},\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"]}",
        "{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[],\"annotations\":{\"a\":1}}",
        "{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[],\"subject\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.unknown\",\"config\":CONFIG,\"layers\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":5,\"config\":CONFIG,\"layers\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{}]}",
    })
    void malformedManifestIsManifestInvalid(String body) throws Exception {
        assertRefused(body.replace("CONFIG", config), "application/json", 400, "MANIFEST_INVALID");
    }

    @Test
    void bodyMediaTypeContradictingTheContentTypeIsManifestInvalid() throws Exception {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + config + ",\"layers\":[]}";
        assertRefused(body, MediaTypes.DOCKER_MANIFEST, 400, "MANIFEST_INVALID");
    }

    @Test
    void dockerSchema1IsRefused() throws Exception {
        assertRefused("{\"schemaVersion\":1,\"name\":\"app\"}", MediaTypes.DOCKER_SCHEMA1_SIGNED, 400, "MANIFEST_INVALID");
    }

    @Test
    void schema1WithoutAContentTypeIsRefusedNotAnInternalError() throws Exception {
        HttpResponse<byte[]> response = registry.send("PUT", "/v2/app/manifests/v1", "{\"schemaVersion\":1,\"name\":\"app\"}".getBytes());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_INVALID");
    }

    @Test
    void layerMissingFromTheRepositoryIsManifestBlobUnknown() throws Exception {
        Digest missing = Digest.sha256("never pushed".getBytes());
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + config
                + ",\"layers\":[{\"mediaType\":\"" + Images.OCI_LAYER + "\",\"digest\":\"" + missing + "\",\"size\":12}]}";
        assertRefused(body, MediaTypes.OCI_MANIFEST, 404, "MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void configOfAnotherRepositoryIsManifestBlobUnknown() throws Exception {
        byte[] content = "{\"other\":true}".getBytes();
        Digest elsewhere = registry.push("elsewhere", content);
        String body = "{\"schemaVersion\":2,\"config\":" + CONFIG.formatted(elsewhere, content.length) + ",\"layers\":[]}";
        assertRefused(body, MediaTypes.OCI_MANIFEST, 404, "MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void foreignLayersWithUrlsNeedNotBeInTheRegistry() throws Exception {
        Digest foreign = Digest.sha256("windows base layer".getBytes());
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":" + config
                + ",\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\"" + foreign
                + "\",\"size\":18,\"urls\":[\"https://example.invalid/layer\"]}]}";
        HttpResponse<byte[]> response = images.put("app", "windows", body.getBytes(), MediaTypes.DOCKER_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + Digest.sha256(body.getBytes()), null).statusCode()).isEqualTo(202);
    }

    @Test
    void indexListingAManifestTheRepositoryLacksIsManifestUnknown() throws Exception {
        Digest missing = Digest.sha256("no such manifest".getBytes());
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + missing + "\",\"size\":100}]}";
        assertRefused(body, MediaTypes.OCI_INDEX, 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void manifestOverTheLimitIs413WithoutBeingRead() throws Exception {
        String padding = "x".repeat(ManifestHandler.MAX_MANIFEST_BYTES);
        String body = "{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[],\"annotations\":{\"pad\":\"" + padding + "\"}}";
        assertRefused(body, MediaTypes.OCI_MANIFEST, 413, "SIZE_INVALID");

        // Announced with a Content-Length far beyond the limit but never sent: refused from the headers alone.
        RawHttp.Response response = RawHttp.request(registry.port(), "PUT", "/v2/app/manifests/v1",
                "Content-Type: " + MediaTypes.OCI_MANIFEST, "Content-Length: 1000000000");
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).contains("SIZE_INVALID");
    }

    @Test
    void manifestJustUnderTheLimitIsAccepted() throws Exception {
        String head = "{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[],\"annotations\":{\"pad\":\"";
        String tail = "\"}}";
        String body = head + "x".repeat(ManifestHandler.MAX_MANIFEST_BYTES - head.length() - tail.length()) + tail;
        HttpResponse<byte[]> response = images.put("app", "big", body.getBytes(), MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/manifests/big").body()).hasSize(ManifestHandler.MAX_MANIFEST_BYTES);
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + Digest.sha256(body.getBytes()), null).statusCode()).isEqualTo(202);
    }

    @Test
    void refusedManifestLeavesAnExistingTagAlone() throws Exception {
        Map<String, Object> good = images.image("app", "good", 1);
        Digest digest = images.push("app", "stable", good);
        assertRefused("{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[{}]}", MediaTypes.OCI_MANIFEST, 400, "MANIFEST_INVALID");
        HttpResponse<byte[]> response = images.put("app", "stable", "{broken".getBytes(), MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(registry.get("/v2/app/manifests/stable").headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + digest, null).statusCode()).isEqualTo(202);
    }
}
