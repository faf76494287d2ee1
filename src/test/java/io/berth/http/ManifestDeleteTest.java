package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDeleteTest extends RegistryTestBase {

    Images images;
    Digest digest;

    @BeforeEach
    void pushTwoTagsOfOneManifest() throws Exception {
        images = new Images(registry);
        Map<String, Object> manifest = images.image("app", "delete", 1);
        digest = images.push("app", "v1", manifest);
        images.push("app", "latest", manifest);
        images.push("app", "other", images.image("app", "kept", 1));
    }

    private String tags() throws Exception {
        return new String(registry.get("/v2/app/tags/list").body());
    }

    @Test
    void deleteByDigestRemovesTheManifestAndEveryTagOnIt() throws Exception {
        HttpResponse<byte[]> response = registry.send("DELETE", "/v2/app/manifests/" + digest, null);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(errorCode(registry.get("/v2/app/manifests/" + digest))).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/app/manifests/latest").statusCode()).isEqualTo(404);
        assertThat(tags()).isEqualTo("{\"name\":\"app\",\"tags\":[\"other\"]}");
        assertThat(stored.exists("docker/registry/v2/repositories/app/_manifests/revisions/sha256/" + digest.hex())).isFalse();
    }

    @Test
    void deleteByTagRemovesOnlyThatTag() throws Exception {
        assertThat(registry.send("DELETE", "/v2/app/manifests/v1", null).statusCode()).isEqualTo(202);
        assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/app/manifests/latest").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        assertThat(tags()).isEqualTo("{\"name\":\"app\",\"tags\":[\"latest\",\"other\"]}");
    }

    @Test
    void deletingWhatIsNotThereIsManifestUnknown() throws Exception {
        HttpResponse<byte[]> byTag = registry.send("DELETE", "/v2/app/manifests/missing", null);
        assertThat(byTag.statusCode()).isEqualTo(404);
        assertThat(errorCode(byTag)).isEqualTo("MANIFEST_UNKNOWN");
        HttpResponse<byte[]> byDigest = registry.send("DELETE", "/v2/app/manifests/" + Digest.sha256("none".getBytes()), null);
        assertThat(byDigest.statusCode()).isEqualTo(404);
        assertThat(errorCode(byDigest)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void deletingTwiceAnswers404TheSecondTime() throws Exception {
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(registry.send("DELETE", "/v2/app/manifests/" + digest, null).statusCode()).isEqualTo(404);
    }

    @Test
    void deletesAreUnsupportedWhileDisabled(@TempDir Path otherRoot) throws Exception {
        try (TestRegistry locked = TestRegistry.builder(otherRoot).env("REGISTRY_STORAGE_DELETE_ENABLED", "false").start()) {
            Images lockedImages = new Images(locked);
            Digest pushed = lockedImages.push("app", "v1", lockedImages.image("app", "locked", 1));
            for (String reference : new String[] {pushed.toString(), "v1"}) {
                HttpResponse<byte[]> response = locked.send("DELETE", "/v2/app/manifests/" + reference, null);
                assertThat(response.statusCode()).as(reference).isEqualTo(405);
                assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
            }
            assertThat(locked.get("/v2/app/manifests/v1").statusCode()).isEqualTo(200);
        }
    }
}
