package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadStateTest extends RegistryTestBase {


    private static String state(String location) {
        return location.substring(location.indexOf("_state=") + "_state=".length());
    }

    private static String path(String location) {
        return location.substring(0, location.indexOf('?'));
    }

    private void assertInvalid(HttpResponse<byte[]> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("BLOB_UPLOAD_INVALID");
    }

    @Test
    void tamperedStateIsBlobUploadInvalid() throws Exception {
        String location = registry.startUpload("app");
        byte[] token = Base64.getUrlDecoder().decode(state(location));
        token[token.length - 3] ^= 1;
        String tampered = path(location) + "?_state=" + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        assertInvalid(registry.send("PATCH", tampered, "data".getBytes()));
        assertInvalid(registry.get(path(location) + "?_state=not-base64!"));
        assertInvalid(registry.get(path(location) + "?_state=AAAA"));
        assertThat(registry.get(location).headers().firstValue("Range")).as("upload untouched").hasValue("0-0");
    }

    @Test
    void stateOfAnotherUploadIsBlobUploadInvalid() throws Exception {
        String first = registry.startUpload("app");
        String second = registry.startUpload("app");
        assertInvalid(registry.send("PATCH", path(first) + "?_state=" + state(second), "data".getBytes()));
    }

    @Test
    void stateOfAnotherRepositoryIsBlobUploadInvalid() throws Exception {
        String mine = registry.startUpload("app");
        String theirs = registry.startUpload("other");
        String forged = path(mine).replace("/v2/app/", "/v2/other/") + "?_state=" + state(mine);
        assertInvalid(registry.get(forged));
        assertInvalid(registry.get(path(theirs) + "?_state=" + state(mine)));
    }

    @Test
    void stateSignedWithAnotherSecretIsBlobUploadInvalid(@TempDir Path otherRoot) throws Exception {
        try (TestRegistry other = TestRegistry.builder(otherRoot).env("REGISTRY_HTTP_SECRET", "another-secret").start()) {
            String foreign = other.startUpload("app");
            String mine = registry.startUpload("app");
            assertInvalid(registry.get(path(mine) + "?_state=" + state(foreign)));
        }
    }

    @Test
    void stateIsValidAcrossRestartsWithTheSameSecret() throws Exception {
        String location = registry.startUpload("app");
        registry.restart();
        assertThat(registry.get(location).statusCode()).isEqualTo(204);
    }

    @Test
    void uploadCanBeDrivenWithoutAStateToken() throws Exception {
        byte[] content = "no state needed".getBytes();
        String location = path(registry.startUpload("app"));
        assertThat(registry.send("PATCH", location, content).statusCode()).isEqualTo(202);
        HttpResponse<byte[]> done = registry.send("PUT", withQuery(location, "digest=" + Digest.sha256(content)), null);
        assertThat(done.statusCode()).isEqualTo(201);
    }

    @Test
    void unknownUploadIdIsBlobUploadUnknown() throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/app/blobs/uploads/3f1c1a52-7c1e-4b0e-9d4f-2d7b1c9e8a10");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }
}
