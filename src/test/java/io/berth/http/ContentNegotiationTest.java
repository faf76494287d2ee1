package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContentNegotiationTest extends RegistryTestBase {

    Images images;

    @BeforeEach
    void prepare() {
        images = new Images(registry);
    }

    private Map<String, Object> dockerImage(String seed) throws Exception {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.DOCKER_MANIFEST);
        manifest.put("config", images.blob("app", "application/vnd.docker.container.image.v1+json", ("{\"c\":\"" + seed + "\"}").getBytes()));
        manifest.put("layers", List.of(images.blob("app", "application/vnd.docker.image.rootfs.diff.tar.gzip", seed.getBytes())));
        return manifest;
    }

    private static Map<String, Object> platform(Digest digest, long size, String mediaType, String architecture) {
        Map<String, Object> entry = Images.descriptor(mediaType, digest, size);
        entry.put("platform", Map.of("os", "linux", "architecture", architecture));
        return entry;
    }

    @Test
    void contentTypeDecidesTheMediaTypeWhenTheBodyNamesNone() throws Exception {
        Map<String, Object> manifest = images.image("app", "untyped", 1);
        manifest.remove("mediaType");
        byte[] bytes = Images.json(manifest);
        assertThat(images.put("app", "v1", bytes, MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/manifests/v1").headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
        registry.restart();
        assertThat(registry.get("/v2/app/manifests/v1").headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void untypedIndexWithoutContentTypeIsServedAsAnOciIndex() throws Exception {
        Digest child = images.push("app", "child", images.image("app", "child", 1));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("manifests", List.of(Images.descriptor(MediaTypes.OCI_MANIFEST, child, registry.get("/v2/app/manifests/child").body().length)));
        assertThat(images.put("app", "index", Images.json(index), "application/json").statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/manifests/index").headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
    }

    @Test
    void dockerSchema2ManifestIsServedAsDockerSchema2() throws Exception {
        images.push("app", "docker", dockerImage("d"));
        HttpResponse<byte[]> response = registry.get("/v2/app/manifests/docker", "Accept", MediaTypes.DOCKER_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    void acceptListingTheTypeAmongOthersGetsIt() throws Exception {
        images.push("app", "v1", images.image("app", "a", 1));
        HttpResponse<byte[]> response = registry.get("/v2/app/manifests/v1",
                "Accept", MediaTypes.DOCKER_MANIFEST + ", " + MediaTypes.OCI_MANIFEST + ";q=0.9");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/app/manifests/v1", "Accept", "*/*").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/app/manifests/v1", "Accept", "application/*").statusCode()).isEqualTo(200);
    }

    @Test
    void manifestOfATypeTheClientDoesNotAcceptIsUnknownToIt() throws Exception {
        images.push("app", "v1", images.image("app", "a", 1));
        HttpResponse<byte[]> response = registry.get("/v2/app/manifests/v1", "Accept", MediaTypes.DOCKER_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void dockerManifestListBecomesItsLinuxAmd64ImageForAClientThatTakesOnlyImages() throws Exception {
        byte[] amd64 = Images.json(dockerImage("amd64"));
        byte[] arm64 = Images.json(dockerImage("arm64"));
        images.put("app", "amd64", amd64, MediaTypes.DOCKER_MANIFEST);
        images.put("app", "arm64", arm64, MediaTypes.DOCKER_MANIFEST);
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("schemaVersion", 2);
        list.put("mediaType", MediaTypes.DOCKER_MANIFEST_LIST);
        list.put("manifests", List.of(
                platform(Digest.sha256(arm64), arm64.length, MediaTypes.DOCKER_MANIFEST, "arm64"),
                platform(Digest.sha256(amd64), amd64.length, MediaTypes.DOCKER_MANIFEST, "amd64")));
        images.push("app", "multi", list);

        HttpResponse<byte[]> single = registry.get("/v2/app/manifests/multi", "Accept", MediaTypes.DOCKER_MANIFEST);
        assertThat(single.statusCode()).isEqualTo(200);
        assertThat(single.body()).isEqualTo(amd64);
        assertThat(single.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.sha256(amd64).toString());

        HttpResponse<byte[]> whole = registry.get("/v2/app/manifests/multi", "Accept", MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(whole.headers().firstValue("Content-Type")).hasValue(MediaTypes.DOCKER_MANIFEST_LIST);
    }
}
