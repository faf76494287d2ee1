package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write and a delete of the same name, sent at the same instant, many times over: neither ever
 * gets a 5xx, each gets one of the statuses its order allows, and storage afterwards says what the
 * order the registry chose implies (a delete that found nothing came first, one that deleted came
 * last). Uploads leave nothing under {@code _uploads}.
 */
class WriteDeleteRaceTest extends RegistryTestBase {

    private static final int ROUNDS = 100;
    private static final String REPO = "race/app";

    private final Racing racing = new Racing();
    private Images images;

    @BeforeEach
    void images() {
        images = new Images(registry);
    }

    @AfterEach
    void stopRacing() {
        racing.close();
    }

    private HttpResponse<byte[]> delete(String path) throws IOException, InterruptedException {
        return registry.send("DELETE", path, null);
    }

    @Test
    void tagPushAndTagDeleteRacingNeverFailAndLeaveWhatTheirOrderSays() throws Exception {
        Map<String, Object> image = images.image(REPO, "tags", 1);
        byte[] manifest = Images.json(image);
        images.push(REPO, "kept", image);
        for (int round = 0; round < ROUNDS; round++) {
            Racing.Pair pair = racing.together(() -> images.put(REPO, "t", manifest, MediaTypes.OCI_MANIFEST),
                    () -> delete("/v2/" + REPO + "/manifests/t"));
            assertThat(pair.first().statusCode()).as("tag push, round %d", round).isEqualTo(201);
            boolean deletedLast = deleteOutcome(pair.second(), "MANIFEST_UNKNOWN", round);
            assertThat(registry.get("/v2/" + REPO + "/manifests/t").statusCode()).as("tag after round %d", round)
                    .isEqualTo(deletedLast ? 404 : 200);
            if (!deletedLast) {
                assertThat(delete("/v2/" + REPO + "/manifests/t").statusCode()).isEqualTo(202);
            }
        }
        assertThat(new String(registry.get("/v2/" + REPO + "/tags/list").body())).isEqualTo("{\"name\":\"race/app\",\"tags\":[\"kept\"]}");
    }

    @Test
    void pushByTagAndDeleteByDigestRacingNeverFailAndLeaveNoDanglingTag() throws Exception {
        Map<String, Object> image = images.image(REPO, "digest", 1);
        byte[] manifest = Images.json(image);
        Digest digest = Digest.sha256(manifest);
        images.push(REPO, "kept", images.image(REPO, "other", 1));
        for (int round = 0; round < ROUNDS; round++) {
            Racing.Pair pair = racing.together(() -> images.put(REPO, "t", manifest, MediaTypes.OCI_MANIFEST),
                    () -> delete("/v2/" + REPO + "/manifests/" + digest));
            assertThat(pair.first().statusCode()).as("tag push, round %d", round).isEqualTo(201);
            boolean deletedLast = deleteOutcome(pair.second(), "MANIFEST_UNKNOWN", round);
            int expected = deletedLast ? 404 : 200;
            assertThat(registry.get("/v2/" + REPO + "/manifests/t").statusCode()).as("tag after round %d", round).isEqualTo(expected);
            assertThat(registry.get("/v2/" + REPO + "/manifests/" + digest).statusCode()).as("manifest after round %d", round)
                    .isEqualTo(expected);
            if (!deletedLast) {
                assertThat(delete("/v2/" + REPO + "/manifests/" + digest).statusCode()).isEqualTo(202);
            }
        }
        assertThat(new String(registry.get("/v2/" + REPO + "/tags/list").body())).isEqualTo("{\"name\":\"race/app\",\"tags\":[\"kept\"]}");
    }

    @Test
    void blobUploadAndBlobDeleteRacingNeverFailAndLeaveNoUploads() throws Exception {
        byte[] content = new byte[96 * 1024];
        new Random(11).nextBytes(content);
        Digest digest = Digest.sha256(content);
        String blob = "/v2/" + REPO + "/blobs/" + digest;
        for (int round = 0; round < ROUNDS; round++) {
            boolean chunked = round % 2 == 1;
            Racing.Pair pair = racing.together(() -> chunked ? chunkedPush(content, digest) : monolithicPush(content, digest), () -> delete(blob));
            assertThat(pair.first().statusCode()).as("blob push, round %d", round).isEqualTo(201);
            boolean deletedLast = deleteOutcome(pair.second(), "BLOB_UNKNOWN", round);
            HttpResponse<byte[]> get = registry.get(blob);
            assertThat(get.statusCode()).as("blob after round %d", round).isEqualTo(deletedLast ? 404 : 200);
            if (!deletedLast) {
                assertThat(get.body()).isEqualTo(content);
                assertThat(delete(blob).statusCode()).isEqualTo(202);
            }
        }
        assertNoUploadsLeft();
    }

    /** True when the delete came last (it deleted); false when it found nothing, so came first. Anything else fails. */
    private static boolean deleteOutcome(HttpResponse<byte[]> response, String unknownCode, int round) throws IOException {
        assertThat(response.statusCode()).as("delete, round %d: %s", round, new String(response.body())).isIn(202, 404);
        if (response.statusCode() == 404) {
            assertThat(errorCode(response)).isEqualTo(unknownCode);
        }
        return response.statusCode() == 202;
    }

    private HttpResponse<byte[]> monolithicPush(byte[] content, Digest digest) throws IOException, InterruptedException {
        return registry.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + digest, content);
    }

    private HttpResponse<byte[]> chunkedPush(byte[] content, Digest digest) throws IOException, InterruptedException {
        String location = registry.startUpload(REPO);
        int half = content.length / 2;
        HttpResponse<byte[]> patch = registry.send("PATCH", location, Arrays.copyOfRange(content, 0, half), "Content-Range", "0-" + (half - 1));
        assertThat(patch.statusCode()).isEqualTo(202);
        String next = patch.headers().firstValue("Location").orElseThrow();
        return registry.send("PUT", TestRegistry.withQuery(next, "digest=" + digest), Arrays.copyOfRange(content, half, content.length));
    }

    private void assertNoUploadsLeft() throws IOException {
        String uploads = "docker/registry/v2/repositories/" + REPO + "/_uploads";
        assertThat(stored.under(uploads)).as("files under _uploads").isEmpty();
        if (!ON_S3) {
            Path folder = root.resolve(uploads);
            if (Files.exists(folder)) {
                try (Stream<Path> left = Files.list(folder)) {
                    assertThat(left.toList()).as("folders under _uploads").isEmpty();
                }
            }
        }
    }
}
