package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManifestByDigestTest extends RegistryTestBase {

    Images images;
    byte[] bytes;
    Digest digest;

    @BeforeEach
    void prepare() throws Exception {
        images = new Images(registry);
        bytes = Images.json(images.image("app", "digest", 1));
        digest = Digest.sha256(bytes);
    }

    @Test
    void putByItsDigestIsAcceptedAndServedByDigest() throws Exception {
        HttpResponse<byte[]> response = images.put("app", digest.toString(), bytes, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/v2/app/manifests/" + digest);
        HttpResponse<byte[]> pulled = registry.get("/v2/app/manifests/" + digest);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(bytes);
        assertThat(pulled.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    }

    @Test
    void putByAnotherDigestIsDigestInvalidAndStoresNothing() throws Exception {
        Digest other = Digest.sha256("other".getBytes());
        HttpResponse<byte[]> response = images.put("app", other.toString(), bytes, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/app/manifests/" + other).statusCode()).isEqualTo(404);
    }

    @Test
    void putBySha512DigestIsVerifiedWithSha512() throws Exception {
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512, bytes);
        HttpResponse<byte[]> response = images.put("app", sha512.toString(), bytes, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(sha512.toString());
        assertThat(registry.get("/v2/app/manifests/" + sha512).body()).isEqualTo(bytes);
    }

    @Test
    void manifestPushedByDigestOnlyHasNoTagButTheRepositoryExists() throws Exception {
        images.put("app", digest.toString(), bytes, MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> tags = registry.get("/v2/app/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(new String(tags.body())).isEqualTo("{\"name\":\"app\",\"tags\":[]}");
    }

    @Test
    void unknownDigestIsManifestUnknown() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/app/manifests/" + digest);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(registry.head("/v2/app/manifests/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void blobIsNotAManifest() throws Exception {
        Digest blob = registry.push("app", "{\"schemaVersion\":2}".getBytes());
        assertThat(registry.get("/v2/app/manifests/" + blob).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedDigestReferenceIsDigestInvalidOnPushAndUnknownOnPull() throws Exception {
        HttpResponse<byte[]> pushed = images.put("app", "sha256:nothex", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(pushed.statusCode()).isEqualTo(400);
        assertThat(errorCode(pushed)).isEqualTo("DIGEST_INVALID");
        HttpResponse<byte[]> pulled = registry.get("/v2/app/manifests/sha256:nothex");
        assertThat(pulled.statusCode()).isEqualTo(404);
        assertThat(errorCode(pulled)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void matchingIfNoneMatchGets304() throws Exception {
        images.put("app", "v1", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(registry.get("/v2/app/manifests/v1", "If-None-Match", '"' + digest.toString() + '"').statusCode()).isEqualTo(304);
    }
}
