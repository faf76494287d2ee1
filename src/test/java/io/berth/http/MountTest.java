package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MountTest extends RegistryTestBase {

    byte[] content = "a layer shared between repositories".getBytes();
    Digest digest;

    @BeforeEach
    void pushContent() throws Exception {
        digest = registry.push("source/app", content);
    }

    @Test
    void mountFromARepositoryThatHasTheBlobLinksItWith201() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/target/app/blobs/uploads/?mount=" + digest + "&from=source/app", null);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/v2/target/app/blobs/" + digest);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.get("/v2/target/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(stored.under("docker/registry/v2/blobs")).as("one copy of the content").hasSize(1);
    }

    @Test
    void mountedBlobOutlivesItsDeletionFromTheSource() throws Exception {
        assertThat(registry.send("POST", "/v2/target/app/blobs/uploads/?mount=" + digest + "&from=source/app", null).statusCode())
                .isEqualTo(201);
        assertThat(registry.send("DELETE", "/v2/source/app/blobs/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(registry.get("/v2/target/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void mountFromARepositoryWithoutTheBlobStartsAnUpload() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/target/app/blobs/uploads/?mount=" + digest + "&from=elsewhere", null);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("Location").orElseThrow()).startsWith("/v2/target/app/blobs/uploads/");
        assertThat(registry.get("/v2/target/app/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void mountWithoutFromStartsAnUpload() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/target/app/blobs/uploads/?mount=" + digest, null);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("Docker-Upload-UUID")).isPresent();
    }

    @Test
    void mountOfAnInvalidDigestIsDigestInvalid() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/target/app/blobs/uploads/?mount=sha256:xyz&from=source/app", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void mountFromAnInvalidNameIsNameInvalid() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/target/app/blobs/uploads/?mount=" + digest + "&from=../source", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("NAME_INVALID");
    }
}
