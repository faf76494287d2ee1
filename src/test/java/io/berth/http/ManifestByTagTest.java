package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManifestByTagTest extends RegistryTestBase {

    Images images;
    Map<String, Object> manifest;
    byte[] bytes;
    Digest digest;

    @BeforeEach
    void pushImage() throws Exception {
        images = new Images(registry);
        manifest = images.image("team/app", "one", 2);
        bytes = Images.json(manifest);
        digest = Digest.sha256(bytes);
    }

    @Test
    void putByTagAnswers201WithLocationAndDigest() throws Exception {
        HttpResponse<byte[]> response = images.put("team/app", "v1", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/v2/team/app/manifests/" + digest);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(response.headers().firstValue("OCI-Subject")).isEmpty();
    }

    @Test
    void getByTagReturnsTheExactBytesWithTheirMediaType() throws Exception {
        images.put("team/app", "v1", bytes, MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> response = registry.get("/v2/team/app/manifests/v1", "Accept", MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(response.headers().firstValue("ETag")).hasValue('"' + digest.toString() + '"');
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(bytes.length));
    }

    @Test
    void headByTagHasTheHeadersButNoBody() throws Exception {
        images.put("team/app", "v1", bytes, MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> response = registry.head("/v2/team/app/manifests/v1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(bytes.length));
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    }

    @Test
    void bytesAreStoredExactlyAsSentWhateverTheirFormatting() throws Exception {
        byte[] pretty = new String(bytes).replace(",", ",\n   ").getBytes();
        HttpResponse<byte[]> response = images.put("team/app", "pretty", pretty, MediaTypes.OCI_MANIFEST);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.sha256(pretty).toString());
        assertThat(registry.get("/v2/team/app/manifests/pretty").body()).isEqualTo(pretty);
    }

    @Test
    void pushingATagAgainMovesIt() throws Exception {
        images.put("team/app", "latest", bytes, MediaTypes.OCI_MANIFEST);
        Digest second = images.push("team/app", "latest", images.image("team/app", "two", 1));
        HttpResponse<byte[]> response = registry.get("/v2/team/app/manifests/latest");
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(second.toString());
        assertThat(registry.get("/v2/team/app/manifests/" + digest).statusCode()).as("the old revision stays").isEqualTo(200);
    }

    @Test
    void tagsAreStoredInDistributionsLayout() throws Exception {
        images.put("team/app", "v1", bytes, MediaTypes.OCI_MANIFEST);
        String repo = "docker/registry/v2/repositories/team/app/_manifests/";
        assertThat(stored.text(repo + "tags/v1/current/link")).isEqualTo(digest.toString());
        assertThat(stored.text(repo + "tags/v1/index/sha256/" + digest.hex() + "/link")).isEqualTo(digest.toString());
        assertThat(stored.text(repo + "revisions/sha256/" + digest.hex() + "/link")).isEqualTo(digest.toString());
        assertThat(stored.read("docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data")).isEqualTo(bytes);
    }

    @Test
    void unknownTagIsManifestUnknown() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/team/app/manifests/nope");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void invalidTagIsTagInvalidOnPushAndUnknownOnPull() throws Exception {
        HttpResponse<byte[]> response = images.put("team/app", "-bad", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("TAG_INVALID");
        // A pull of a name that cannot be a tag finds nothing, as the OCI conformance suite expects.
        HttpResponse<byte[]> pulled = registry.get("/v2/team/app/manifests/" + "x".repeat(129));
        assertThat(pulled.statusCode()).isEqualTo(404);
        assertThat(errorCode(pulled)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void tagOfAnotherRepositoryIsInvisible() throws Exception {
        images.put("team/app", "v1", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(registry.get("/v2/team/other/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/team/other/manifests/" + digest).statusCode()).isEqualTo(404);
    }
}
