package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A PATCH sent at the same instant as the PUT that finishes its upload, or the DELETE that cancels
 * it: the PATCH is either taken (202) before or refused as BLOB_UPLOAD_UNKNOWN after, never a 5xx,
 * and once the upload is over nothing of it is left in storage.
 */
class UploadRaceTest extends RegistryTestBase {

    /** Fewer on S3, where each round's requests are several round trips to the bucket. */
    private static final int ROUNDS = ON_S3 ? 20 : 60;
    private static final String REPO = "race/uploads";

    private final byte[] first = new byte[32 * 1024];
    private final byte[] second = new byte[256 * 1024];
    private final Racing racing = new Racing();

    @BeforeEach
    void content() {
        new Random(5).nextBytes(first);
        new Random(6).nextBytes(second);
    }

    @AfterEach
    void stopRacing() {
        racing.close();
    }

    @Test
    void patchRacingTheFinishingPutIsTakenBeforeOrRefusedAfter() throws Exception {
        Digest digest = Digest.sha256(first);
        for (int round = 0; round < ROUNDS; round++) {
            Upload upload = startWithFirstChunk();
            Racing.Pair both = racing.together(() -> patchSecond(upload),
                    () -> registry.send("PUT", TestRegistry.withQuery(upload.location(), "digest=" + digest), null));
            HttpResponse<byte[]> patch = both.first();
            HttpResponse<byte[]> put = both.second();
            boolean patchFirst = patchOutcome(patch, round);
            // A chunk taken before the PUT changes the data, so the digest the PUT names no longer matches.
            assertThat(put.statusCode()).as("PUT, round %d: %s", round, new String(put.body())).isEqualTo(patchFirst ? 400 : 201);
            if (patchFirst) {
                assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");
            }
            assertUploadGone(upload, round);
        }
        assertThat(registry.get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(first);
    }

    @Test
    void patchRacingTheCancellingDeleteIsTakenBeforeOrRefusedAfter() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Upload upload = startWithFirstChunk();
            Racing.Pair both = racing.together(() -> patchSecond(upload), () -> registry.send("DELETE", upload.location(), null));
            patchOutcome(both.first(), round);
            HttpResponse<byte[]> delete = both.second();
            assertThat(delete.statusCode()).as("DELETE, round %d: %s", round, new String(delete.body())).isEqualTo(204);
            assertUploadGone(upload, round);
        }
    }

    /** An upload with its first chunk in, and the Location to continue it at. */
    private record Upload(String id, String location) {}

    private Upload startWithFirstChunk() throws IOException, InterruptedException {
        String location = registry.startUpload(REPO);
        HttpResponse<byte[]> patch = registry.send("PATCH", location, first, "Content-Range", "0-" + (first.length - 1));
        assertThat(patch.statusCode()).isEqualTo(202);
        return new Upload(patch.headers().firstValue("Docker-Upload-UUID").orElseThrow(), patch.headers().firstValue("Location").orElseThrow());
    }

    private HttpResponse<byte[]> patchSecond(Upload upload) throws IOException, InterruptedException {
        return registry.send("PATCH", upload.location(), second,
                "Content-Range", first.length + "-" + (first.length + second.length - 1));
    }

    /** True when the PATCH was taken; else it must be BLOB_UPLOAD_UNKNOWN. */
    private static boolean patchOutcome(HttpResponse<byte[]> patch, int round) throws IOException {
        assertThat(patch.statusCode()).as("PATCH, round %d: %s", round, new String(patch.body())).isIn(202, 404);
        if (patch.statusCode() == 404) {
            assertThat(errorCode(patch)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }
        return patch.statusCode() == 202;
    }

    private void assertUploadGone(Upload upload, int round) throws IOException, InterruptedException {
        assertThat(registry.get(upload.location()).statusCode()).as("upload status after round %d", round).isEqualTo(404);
        assertThat(stored.exists("docker/registry/v2/repositories/" + REPO + "/_uploads/" + upload.id()))
                .as("upload folder after round %d", round).isFalse();
    }
}
