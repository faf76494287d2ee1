package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reference that is neither a tag nor a digest names no manifest: pulling or deleting it is
 * 404 MANIFEST_UNKNOWN (the OCI conformance suite's "nonexistent manifest" is
 * {@code .INVALID_MANIFEST_NAME}), while pushing to it stays a 400 that names the fault.
 */
class ManifestReferenceTest extends RegistryTestBase {

    /** Each reference, with the code a push to it gets. */
    static final Map<String, String> REFERENCES = Map.of(
            ".INVALID_MANIFEST_NAME", "TAG_INVALID",
            "-starts-with-a-dash", "TAG_INVALID",
            "a%20space", "TAG_INVALID",
            "x".repeat(129), "TAG_INVALID",
            "sha256:totallywrong", "DIGEST_INVALID",
            "md5:d41d8cd98f00b204e9800998ecf8427e", "DIGEST_INVALID",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "DIGEST_INVALID");

    @Test
    void referenceThatIsNeitherTagNorDigestIsUnknownToGetHeadAndDelete() throws Exception {
        registry.push("app", "{}".getBytes());
        for (String reference : REFERENCES.keySet()) {
            String path = "/v2/app/manifests/" + reference;
            HttpResponse<byte[]> get = registry.get(path);
            assertThat(get.statusCode()).as(reference).isEqualTo(404);
            assertThat(errorCode(get)).as(reference).isEqualTo("MANIFEST_UNKNOWN");
            HttpResponse<byte[]> head = registry.head(path);
            assertThat(head.statusCode()).as(reference).isEqualTo(404);
            assertThat(head.body()).as(reference).isEmpty();
            HttpResponse<byte[]> delete = registry.send("DELETE", path, null);
            assertThat(delete.statusCode()).as(reference).isEqualTo(404);
            assertThat(errorCode(delete)).as(reference).isEqualTo("MANIFEST_UNKNOWN");
        }
    }

    @Test
    void pushToAReferenceThatIsNeitherTagNorDigestIsInvalidAndStoresNothing() throws Exception {
        Images images = new Images(registry);
        byte[] manifest = Images.json(images.image("app", "ref", 1));
        for (var entry : REFERENCES.entrySet()) {
            HttpResponse<byte[]> put = images.put("app", entry.getKey(), manifest, MediaTypes.OCI_MANIFEST);
            assertThat(put.statusCode()).as(entry.getKey()).isEqualTo(400);
            assertThat(errorCode(put)).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        assertThat(stored.under("docker/registry/v2/repositories/app/_manifests")).isEmpty();
    }
}
