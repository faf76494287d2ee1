package io.berth.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.S3Proxy;
import io.berth.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob GETs on S3 redirect to a presigned URL of the bucket, as Distribution's do, unless storage.redirect.disable. */
class BlobRedirectTest {

    private static String bucket;
    private static final byte[] CONTENT = random(300_000);
    private static final Digest DIGEST = Digest.sha256(CONTENT);

    @TempDir
    Path unused;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("redirect");
    }

    @AfterAll
    static void emptyBucket() {
        S3Proxy.shared().empty(bucket);
    }

    private TestRegistry registry(String root, boolean redirectsDisabled) throws Exception {
        return TestRegistry.builder(unused).s3(S3Proxy.shared(), bucket, root)
                .env("REGISTRY_STORAGE_REDIRECT_DISABLE", String.valueOf(redirectsDisabled)).start();
    }

    @Test
    void aGetAnswers307ToTheBucketAndAClientThatFollowsItGetsTheExactBytes() throws Exception {
        try (TestRegistry registry = registry("/follow", false)) {
            registry.push("app", CONTENT);

            HttpResponse<byte[]> redirect = registry.get("/v2/app/blobs/" + DIGEST);
            assertThat(redirect.statusCode()).isEqualTo(307);
            URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
            assertThat(location.getPort()).isEqualTo(S3Proxy.shared().endpoint().getPort());
            assertThat(location.getQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=1200");

            HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<byte[]> followed = following.send(HttpRequest.newBuilder(registry.uri("/v2/app/blobs/" + DIGEST)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(followed.statusCode()).isEqualTo(200);
            assertThat(followed.body()).isEqualTo(CONTENT);
            HttpResponse<byte[]> range = following.send(HttpRequest.newBuilder(registry.uri("/v2/app/blobs/" + DIGEST))
                    .header("Range", "bytes=1000-1999").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 1000, 2000));
        }
    }

    @Test
    void headStillAnswersFromBerthWithTheBlobsHeaders() throws Exception {
        try (TestRegistry registry = registry("/head", false)) {
            registry.push("app", CONTENT);

            HttpResponse<byte[]> head = registry.head("/v2/app/blobs/" + DIGEST);

            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(DIGEST.toString());
            assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(CONTENT.length);
            assertThat(head.headers().firstValue("Location")).isEmpty();
        }
    }

    @Test
    void withRedirectsDisabledTheBytesComeFromBerth() throws Exception {
        try (TestRegistry registry = registry("/disabled", true)) {
            registry.push("app", CONTENT);

            HttpResponse<byte[]> get = registry.get("/v2/app/blobs/" + DIGEST);

            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Location")).isEmpty();
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(DIGEST.toString());
            assertThat(get.body()).isEqualTo(CONTENT);
        }
    }

    @Test
    void anUnknownBlobIsStill404NotARedirect() throws Exception {
        try (TestRegistry registry = registry("/unknown", false)) {
            assertThat(registry.get("/v2/app/blobs/" + DIGEST).statusCode()).isEqualTo(404);
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(5).nextBytes(bytes);
        return bytes;
    }
}
