package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChunkedPushTest extends RegistryTestBase {

    byte[] content;
    Digest digest;

    @BeforeEach
    void pushContent() throws Exception {
        content = new byte[250_000];
        new Random(11).nextBytes(content);
        digest = Digest.sha256(content);
    }

    private HttpResponse<byte[]> patch(String location, int from, int to, boolean withRange) throws Exception {
        byte[] chunk = Arrays.copyOfRange(content, from, to);
        return withRange
                ? registry.send("PATCH", location, chunk, "Content-Type", "application/octet-stream", "Content-Range", from + "-" + (to - 1))
                : registry.send("PATCH", location, chunk, "Content-Type", "application/octet-stream");
    }

    private static String location(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Location").orElseThrow();
    }

    @Test
    void chunksWithContentRangeAssembleIntoTheBlob() throws Exception {
        String location = registry.startUpload("app");
        int[] cuts = {0, 100_000, 200_000, 250_000};
        for (int i = 0; i + 1 < cuts.length; i++) {
            HttpResponse<byte[]> response = patch(location, cuts[i], cuts[i + 1], true);
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.headers().firstValue("Range")).hasValue("0-" + (cuts[i + 1] - 1));
            assertThat(response.headers().firstValue("Docker-Upload-UUID")).isPresent();
            location = location(response);
        }
        HttpResponse<byte[]> done = registry.send("PUT", withQuery(location, "digest=" + digest), null);
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.headers().firstValue("Location")).hasValue("/v2/app/blobs/" + digest);
        assertThat(done.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void chunksWithoutContentRangeAreAppendedInOrder() throws Exception {
        String location = registry.startUpload("app");
        location = location(patch(location, 0, 1, false));
        location = location(patch(location, 1, 200_000, false));
        HttpResponse<byte[]> done = registry.send("PUT", withQuery(location, "digest=" + digest),
                Arrays.copyOfRange(content, 200_000, 250_000));
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void lastChunkMayComeWithThePutAndItsContentRange() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 50_000, true));
        HttpResponse<byte[]> done = registry.send("PUT", withQuery(location, "digest=" + digest),
                Arrays.copyOfRange(content, 50_000, 250_000), "Content-Range", "50000-249999");
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void outOfOrderChunkGets416AndTheUploadStaysIntact() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 100_000, true));
        HttpResponse<byte[]> skipped = patch(location, 150_000, 200_000, true);
        assertThat(skipped.statusCode()).isEqualTo(416);
        assertThat(errorCode(skipped)).isEqualTo("RANGE_INVALID");
        assertThat(skipped.headers().firstValue("Range")).hasValue("0-99999");
        assertThat(skipped.headers().firstValue("Connection")).as("the refused chunk is drained, so the connection stays usable").isEmpty();
        HttpResponse<byte[]> repeated = patch(location, 0, 100_000, true);
        assertThat(repeated.statusCode()).isEqualTo(416);

        location = location(patch(location, 100_000, 250_000, true));
        assertThat(registry.send("PUT", withQuery(location, "digest=" + digest), null).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void outOfOrderLastChunkOnPutGets416() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 100_000, true));
        HttpResponse<byte[]> response = registry.send("PUT", withQuery(location, "digest=" + digest),
                Arrays.copyOfRange(content, 120_000, 250_000), "Content-Range", "120000-249999");
        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(registry.get(location).headers().firstValue("Range")).hasValue("0-99999");
    }

    @Test
    void contentRangeThatDisagreesWithContentLengthIsSizeInvalid() throws Exception {
        String location = registry.startUpload("app");
        HttpResponse<byte[]> response = registry.send("PATCH", location, new byte[10], "Content-Range", "0-19");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("SIZE_INVALID");
        assertThat(registry.get(location).headers().firstValue("Range")).hasValue("0-0");
    }

    @Test
    void lastChunkThatDisagreesWithItsLengthIsSizeInvalidAndCancelsTheUpload() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 100, true));
        HttpResponse<byte[]> response = registry.send("PUT", withQuery(location, "digest=" + digest), new byte[10],
                "Content-Range", "100-119");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("SIZE_INVALID");
        assertThat(registry.get(location).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(stored.under("docker/registry/v2/repositories/app/_uploads")).isEmpty();
    }

    @Test
    void malformedContentRangeIsRefused() throws Exception {
        String location = registry.startUpload("app");
        for (String range : new String[] {"garbage", "5-2", "-3", "1-2-3"}) {
            HttpResponse<byte[]> response = registry.send("PATCH", location, new byte[4], "Content-Range", range);
            assertThat(response.statusCode()).as(range).isEqualTo(416);
            assertThat(errorCode(response)).as(range).isEqualTo("RANGE_INVALID");
        }
    }

    @Test
    void statusReportsTheRangeReceivedWith204() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 1234, true));
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-1233");
        assertThat(status.headers().firstValue("Location").orElseThrow()).contains("/v2/app/blobs/uploads/");
        assertThat(status.headers().firstValue("Docker-Upload-UUID")).isPresent();
    }

    @Test
    void cancelDeletesTheUploadAndItIsUnknownAfterwards() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 1000, true));
        assertThat(registry.send("DELETE", location, null).statusCode()).isEqualTo(204);
        HttpResponse<byte[]> after = registry.get(location);
        assertThat(after.statusCode()).isEqualTo(404);
        assertThat(errorCode(after)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertThat(patch(location, 1000, 2000, true).statusCode()).isEqualTo(404);
        assertThat(stored.under("docker/registry/v2/repositories/app/_uploads")).isEmpty();
    }

    @Test
    void finishedUploadIsUnknownAfterwards() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 250_000, true));
        assertThat(registry.send("PUT", withQuery(location, "digest=" + digest), null).statusCode()).isEqualTo(201);
        for (String method : new String[] {"GET", "PATCH", "PUT", "DELETE"}) {
            HttpResponse<byte[]> response = registry.send(method, withQuery(location, "digest=" + digest), new byte[0]);
            assertThat(response.statusCode()).as(method).isEqualTo(404);
            assertThat(errorCode(response)).as(method).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }
    }

    @Test
    void putWithoutDigestIsDigestInvalidAndKeepsTheUpload() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 100, true));
        HttpResponse<byte[]> response = registry.send("PUT", location, null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.get(location).statusCode()).isEqualTo(204);
    }

    @Test
    void uploadContinuesAfterARestartWithTheRightDigest() throws Exception {
        String location = location(patch(registry.startUpload("app"), 0, 120_000, true));
        registry.restart();
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-119999");
        location = location(patch(location, 120_000, 250_000, true));
        HttpResponse<byte[]> done = registry.send("PUT", withQuery(location, "digest=" + digest), null);
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }
}
