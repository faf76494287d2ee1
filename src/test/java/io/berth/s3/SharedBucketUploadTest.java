package io.berth.s3;

import static io.berth.testing.TestRegistry.errorCode;
import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.S3Proxy;
import io.berth.testing.ServerProcess;
import io.berth.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Berths over one bucket with one HTTP secret, as replicas behind a load balancer: an upload
 * started on one is continued on the other and finished on the first, and both serve the result.
 * Neither has seen every byte, so the one that finishes hashes the finished data. A replica
 * killed between two chunks leaves its upload to the other.
 */
class SharedBucketUploadTest {

    private static final int MIB = 1024 * 1024;
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static String bucket;

    @TempDir
    Path unused;
    String root;
    TestRegistry a;
    TestRegistry b;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("shared");
    }

    @BeforeEach
    void startReplicas() throws Exception {
        root = "/shared-" + ROOTS.incrementAndGet();
        a = replica(root);
        b = replica(root);
    }

    private TestRegistry replica(String root) throws Exception {
        return TestRegistry.builder(unused)
                .s3(S3Proxy.shared(), bucket, root)
                // Parts of S3's minimum, so that a few MiB take several parts.
                .env("REGISTRY_STORAGE_S3_CHUNKSIZE", String.valueOf(5 * MIB))
                .env("REGISTRY_STORAGE_REDIRECT_DISABLE", "true")
                .start();
    }

    @AfterEach
    void stopReplicas() throws Exception {
        a.close();
        b.close();
        S3Proxy.shared().empty(bucket);
    }

    @Test
    void anUploadStartedOnOneReplicaContinuedOnTheOtherAndFinishedOnTheFirstGivesTheRightBlob() throws Exception {
        byte[] content = random(11 * MIB + 5, 1);
        Digest digest = Digest.sha256(content);

        String location = a.startUpload("team/app");
        location = patch(a, location, content, 0, 6 * MIB);
        HttpResponse<byte[]> status = b.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-" + (6 * MIB - 1));
        location = patch(b, location, content, 6 * MIB, 9 * MIB);
        HttpResponse<byte[]> done = a.send("PUT", withQuery(location, "digest=" + digest),
                Arrays.copyOfRange(content, 9 * MIB, content.length), "Content-Range", 9 * MIB + "-" + (content.length - 1));

        assertThat(done.statusCode()).as(new String(done.body())).isEqualTo(201);
        assertThat(a.get("/v2/team/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(b.get("/v2/team/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(S3Proxy.shared().client().listMultipartUploads(l -> l.bucket(bucket)).uploads()).as("no upload left open").isEmpty();
    }

    @Test
    void smallChunksAlternatingBetweenReplicasGiveTheRightBlob() throws Exception {
        byte[] content = random(30_000, 2);
        Digest digest = Digest.sha256(content);
        String location = a.startUpload("app");
        TestRegistry[] replicas = {a, b, a, b};
        for (int i = 0; i < replicas.length; i++) {
            location = patch(replicas[i], location, content, i * 7_000, (i + 1) * 7_000);
        }

        HttpResponse<byte[]> done = a.send("PUT", withQuery(location, "digest=" + digest), Arrays.copyOfRange(content, 28_000, 30_000));

        assertThat(done.statusCode()).as(new String(done.body())).isEqualTo(201);
        assertThat(b.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void aWrongDigestAfterAnotherReplicaWroteIsRefusedAndNothingIsKept() throws Exception {
        byte[] content = random(2 * MIB, 3);
        String location = a.startUpload("app");
        location = patch(a, location, content, 0, MIB);
        location = patch(b, location, content, MIB, 2 * MIB);

        HttpResponse<byte[]> done = a.send("PUT", withQuery(location, "digest=" + Digest.sha256(new byte[] {1})), null);

        assertThat(done.statusCode()).isEqualTo(400);
        assertThat(errorCode(done)).isEqualTo("DIGEST_INVALID");
        assertThat(b.get(location).statusCode()).as("the upload is gone on the other replica too").isEqualTo(404);
        assertThat(S3Proxy.shared().client().listObjectsV2(l -> l.bucket(bucket)).contents())
                .as("no data left but the catalog index").allMatch(o -> !o.key().contains("_uploads"));
    }

    @Test
    void anUploadOnAReplicaKilledBetweenChunksIsFinishedOnTheOther() throws Exception {
        byte[] content = random(8 * MIB + 3, 4);
        Digest digest = Digest.sha256(content);
        String location;
        try (ServerProcess killed = ServerProcess.builder(unused).s3(S3Proxy.shared(), bucket, root)
                .env("REGISTRY_STORAGE_S3_CHUNKSIZE", String.valueOf(5 * MIB)).jvmOptions(List.of("-Xmx256m")).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + killed.port());
            location = client.send(HttpRequest.newBuilder(base.resolve("/v2/app/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).headers().firstValue("Location").orElseThrow();
            HttpResponse<Void> patched = client.send(HttpRequest.newBuilder(base.resolve(location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, 0, 6 * MIB))).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(patched.statusCode()).isEqualTo(202);
            location = patched.headers().firstValue("Location").orElseThrow();
            killed.kill();
        }

        HttpResponse<byte[]> status = b.get(location);
        assertThat(status.headers().firstValue("Range")).hasValue("0-" + (6 * MIB - 1));
        location = patch(b, location, content, 6 * MIB, content.length);
        HttpResponse<byte[]> done = b.send("PUT", withQuery(location, "digest=" + digest), null);

        assertThat(done.statusCode()).as(new String(done.body())).isEqualTo(201);
        assertThat(a.get("/v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    /** PATCHes {@code content[from, to)} to a replica with its Content-Range and returns the next Location. */
    private static String patch(TestRegistry replica, String location, byte[] content, int from, int to) throws Exception {
        HttpResponse<byte[]> response = replica.send("PATCH", location, Arrays.copyOfRange(content, from, to),
                "Content-Range", from + "-" + (to - 1), "Content-Type", "application/octet-stream");
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(202);
        assertThat(response.headers().firstValue("Range")).hasValue("0-" + (to - 1));
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
