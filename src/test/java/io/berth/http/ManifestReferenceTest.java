package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A reference that is neither a tag nor a digest names no manifest: pulling or deleting it is
 * 404 MANIFEST_UNKNOWN (the OCI conformance suite's "nonexistent manifest" is
 * {@code .INVALID_MANIFEST_NAME}), while pushing to it stays a 400 that names the fault.
 */
class ManifestReferenceTest extends RegistryTestBase {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        ".INVALID_MANIFEST_NAME, TAG_INVALID",
        "-starts-with-a-dash, TAG_INVALID",
        "a%20space, TAG_INVALID",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, TAG_INVALID",
        "sha256:totallywrong, DIGEST_INVALID",
        "md5:d41d8cd98f00b204e9800998ecf8427e, DIGEST_INVALID",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855, DIGEST_INVALID",
    })
    void referenceThatIsNeitherTagNorDigestIsUnknownToPullAndDeleteAndInvalidToPush(String reference, String pushCode) throws Exception {
        String path = "/v2/app/manifests/" + reference;

        HttpResponse<byte[]> get = registry.get(path);
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(errorCode(get)).isEqualTo("MANIFEST_UNKNOWN");
        HttpResponse<byte[]> head = registry.head(path);
        assertThat(head.statusCode()).isEqualTo(404);
        assertThat(head.body()).isEmpty();
        HttpResponse<byte[]> delete = registry.send("DELETE", path, null);
        assertThat(delete.statusCode()).isEqualTo(404);
        assertThat(errorCode(delete)).isEqualTo("MANIFEST_UNKNOWN");

        byte[] manifest = Images.json(new Images(registry).image("app", "ref", 1));
        HttpResponse<byte[]> put = new Images(registry).put("app", reference, manifest, MediaTypes.OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo(pushCode);
        assertThat(stored.under("docker/registry/v2/repositories/app/_manifests")).isEmpty();
    }
}
