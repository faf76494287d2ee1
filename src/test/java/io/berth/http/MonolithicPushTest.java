package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import java.net.http.HttpResponse;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MonolithicPushTest extends RegistryTestBase {


    static byte[] random(int size, long seed) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return content;
    }

    private static final String V2 = "docker/registry/v2/";

    @Test
    void singlePostWithDigestStoresTheBlobInDistributionsLayout() throws Exception {
        byte[] content = random(100_000, 1);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> response = registry.send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest, content);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/v2/team/app/blobs/" + digest);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(stored.read(V2 + "blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data")).isEqualTo(content);
        assertThat(stored.text(V2 + "repositories/team/app/_layers/sha256/" + digest.hex() + "/link")).isEqualTo(digest.toString());
        assertThat(registry.get("/v2/team/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void postThenPutWithTheWholeBodyStoresTheBlob() throws Exception {
        byte[] content = random(70_000, 2);
        Digest digest = Digest.sha256(content);
        String location = registry.startUpload("app");
        HttpResponse<byte[]> response = registry.send("PUT", withQuery(location, "digest=" + digest), content);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void uploadStartAnswers202WithSessionHeaders() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/v2/app/blobs/uploads/", null);
        assertThat(response.statusCode()).isEqualTo(202);
        String uuid = response.headers().firstValue("Docker-Upload-UUID").orElseThrow();
        assertThat(response.headers().firstValue("Location").orElseThrow()).startsWith("/v2/app/blobs/uploads/" + uuid + "?_state=");
        assertThat(response.headers().firstValue("Range")).hasValue("0-0");
        assertThat(response.headers().firstValue("OCI-Chunk-Min-Length")).isPresent();
        assertThat(response.headers().firstValue("Content-Length")).hasValue("0");
    }

    @Test
    void emptyBlobCanBePushed() throws Exception {
        Digest digest = Digest.sha256(new byte[0]);
        HttpResponse<byte[]> response = registry.send("POST", "/v2/app/blobs/uploads/?digest=" + digest, new byte[0]);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(registry.head("/v2/app/blobs/" + digest).headers().firstValue("Content-Length")).hasValue("0");
    }

    @Test
    void sha512DigestIsAcceptedAndVerified() throws Exception {
        byte[] content = random(5_000, 3);
        Digest digest = Digest.of(Digest.Algorithm.SHA512, content);
        HttpResponse<byte[]> response = registry.send("POST", "/v2/app/blobs/uploads/?digest=" + digest, content);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(stored.exists(V2 + "blobs/sha512/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data")).isTrue();
    }

    @Test
    void digestMismatchIsRefusedAndStoresNothing() throws Exception {
        byte[] content = random(10_000, 4);
        Digest wrong = Digest.sha256("something else".getBytes());
        HttpResponse<byte[]> response = registry.send("POST", "/v2/app/blobs/uploads/?digest=" + wrong, content);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertNothingStored();
    }

    @Test
    void digestMismatchOnPutCancelsTheUpload() throws Exception {
        String location = registry.startUpload("app");
        byte[] content = random(10_000, 5);
        Digest wrong = Digest.of(Digest.Algorithm.SHA512, "other".getBytes());
        HttpResponse<byte[]> response = registry.send("PUT", withQuery(location, "digest=" + wrong), content);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertThat(errorCode(registry.get(location))).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertNothingStored();
    }

    @Test
    void malformedDigestParameterIsDigestInvalid() throws Exception {
        for (String digest : new String[] {"sha256:abc", "md5:" + "0".repeat(32), "sha256:" + "A".repeat(64), "nonsense"}) {
            HttpResponse<byte[]> response = registry.send("POST", "/v2/app/blobs/uploads/?digest=" + digest, "x".getBytes());
            assertThat(response.statusCode()).as(digest).isEqualTo(400);
            assertThat(errorCode(response)).as(digest).isEqualTo("DIGEST_INVALID");
        }
        assertNothingStored();
    }

    @Test
    void pushingTheSameBlobTwiceIsIdempotent() throws Exception {
        byte[] content = random(1_000, 6);
        Digest first = registry.push("app", content);
        Digest second = registry.push("app", content);
        assertThat(second).isEqualTo(first);
        assertThat(registry.get("/v2/app/blobs/" + first).body()).isEqualTo(content);
        assertThat(stored.under(V2 + "blobs")).hasSize(1);
    }

    /** No blob, no link and no upload remains anywhere under the root. */
    private void assertNothingStored() throws Exception {
        assertThat(stored.under("")).as("files left under the root").isEmpty();
    }
}
