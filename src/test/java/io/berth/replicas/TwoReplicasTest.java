package io.berth.replicas;

import static io.berth.testing.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.testing.Images;
import io.berth.testing.RedisServer;
import io.berth.testing.S3Proxy;
import io.berth.testing.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Berth processes sharing one S3 bucket (s3proxy), one Redis and one {@code http.secret}, as
 * replicas behind a load balancer: whichever replica a request reaches, the client sees one registry.
 */
class TwoReplicasTest {

    private static final int MIB = 1024 * 1024;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path unused;
    static String bucket;
    static Replica a;
    static Replica b;

    /** One running replica and the HTTP calls the tests make to it. */
    record Replica(ServerProcess process) {
        URI uri(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + process.port() + pathAndQuery);
        }

        HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, String... headers)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
            return send("GET", pathAndQuery, null, headers);
        }

        String location(HttpResponse<?> response) {
            return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location: " + response));
        }
    }

    // One pair of replicas for the class; each test works in repositories of its own.
    @BeforeAll
    static void startReplicas() throws Exception {
        bucket = S3Proxy.shared().createBucket("replicas");
        a = start();
        b = start();
    }

    private static Replica start() throws IOException, InterruptedException {
        return new Replica(ServerProcess.builder(unused)
                .s3(S3Proxy.shared(), bucket, "/replicas")
                .env("REGISTRY_STORAGE_S3_CHUNKSIZE", String.valueOf(5 * MIB))
                .env("REGISTRY_STORAGE_REDIRECT_DISABLE", "true")
                .env("REGISTRY_STORAGE_DELETE_ENABLED", "true")
                .env("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "redis")
                .env("REGISTRY_REDIS_ADDR", RedisServer.shared().addr())
                .env("REGISTRY_REDIS_READTIMEOUT", "2s")
                .env("REGISTRY_LOG_ACCESSLOG_DISABLED", "true")
                .jvmOptions(List.of("-Xmx256m"))
                .start());
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (Replica replica : new Replica[] {a, b}) {
            if (replica != null) {
                replica.process().close();
            }
        }
        S3Proxy.shared().empty(bucket);
    }

    @Test
    void uploadStartedOnAContinuedOnBAndFinishedOnAGivesTheBlobToBoth() throws Exception {
        byte[] content = random(7 * MIB + 11, 1);
        Digest digest = Digest.sha256(content);

        String location = a.location(a.send("POST", "/v2/upload/app/blobs/uploads/", null));
        location = patch(a, location, content, 0, 3 * MIB);
        location = patch(b, location, content, 3 * MIB, 6 * MIB);
        HttpResponse<byte[]> done = a.send("PUT", withQuery(location, "digest=" + digest),
                Arrays.copyOfRange(content, 6 * MIB, content.length),
                "Content-Range", 6 * MIB + "-" + (content.length - 1), "Content-Type", "application/octet-stream");

        assertThat(done.statusCode()).as(new String(done.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        assertThat(a.get("/v2/upload/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(b.get("/v2/upload/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void manifestPushedThroughBIsPulledFromAAndTagsAndCatalogAgree() throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(300_000, 2);
        Digest configDigest = push(b, "pull/web", config);
        Digest layerDigest = push(a, "pull/web", layer);
        byte[] manifest = Images.json(Map.of(
                "schemaVersion", 2,
                "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Images.descriptor(Images.OCI_CONFIG, configDigest, config.length),
                "layers", List.of(Images.descriptor(Images.OCI_LAYER, layerDigest, layer.length))));
        String type = "application/vnd.oci.image.manifest.v1+json";

        assertThat(b.send("PUT", "/v2/pull/web/manifests/1.0", manifest, "Content-Type", type).statusCode()).isEqualTo(201);
        assertThat(b.send("PUT", "/v2/pull/other/manifests/latest", pushAll(b, "pull/other", config, layer, manifest), "Content-Type", type)
                .statusCode()).isEqualTo(201);

        HttpResponse<byte[]> pulled = a.get("/v2/pull/web/manifests/1.0", "Accept", type);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(manifest);
        assertThat(pulled.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.sha256(manifest).toString());
        assertThat(a.get("/v2/pull/web/blobs/" + layerDigest).body()).isEqualTo(layer);
        for (String path : List.of("/v2/pull/web/tags/list", "/v2/_catalog", "/v2/_catalog?n=1")) {
            HttpResponse<byte[]> fromA = a.get(path);
            HttpResponse<byte[]> fromB = b.get(path);
            assertThat(fromA.statusCode()).isEqualTo(200);
            assertThat(new String(fromA.body(), StandardCharsets.UTF_8)).as(path)
                    .isEqualTo(new String(fromB.body(), StandardCharsets.UTF_8));
        }
        assertThat(new String(a.get("/v2/_catalog").body(), StandardCharsets.UTF_8)).contains("\"pull/other\"", "\"pull/web\"");
    }

    @Test
    void manifestDeletedOnAIsGoneOnBAtOnce() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(1000, 3);
        String type = "application/vnd.oci.image.manifest.v1+json";
        byte[] manifest = pushAll(a, "delete/app", config, layer, null);
        Digest digest = Digest.sha256(manifest);
        assertThat(a.send("PUT", "/v2/delete/app/manifests/" + digest, manifest, "Content-Type", type).statusCode()).isEqualTo(201);
        // B reads it first, so its descriptor is in the shared cache when A deletes it.
        assertThat(b.get("/v2/delete/app/manifests/" + digest, "Accept", type).statusCode()).isEqualTo(200);

        assertThat(a.send("DELETE", "/v2/delete/app/manifests/" + digest, null).statusCode()).isEqualTo(202);

        assertThat(b.get("/v2/delete/app/manifests/" + digest, "Accept", type).statusCode()).isEqualTo(404);
        assertThat(b.send("HEAD", "/v2/delete/app/manifests/" + digest, null, "Accept", type).statusCode()).isEqualTo(404);
    }

    @Test
    void replicaKilledInTheMiddleOfAPatchLeavesTheUploadResumableOnTheOther() throws Exception {
        byte[] content = random(14 * MIB + 7, 4);
        Digest digest = Digest.sha256(content);
        long stored;
        String location;
        // A third replica of this test's own is the one killed, so the shared pair stays up for the others.
        try (ServerProcess doomed = start().process()) {
            Replica killed = new Replica(doomed);
            location = killed.location(killed.send("POST", "/v2/killed/app/blobs/uploads/", null));
            try (Socket socket = new Socket("127.0.0.1", doomed.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                // Most of the body, never the end: the replica is killed while the request is still open.
                out.write(content, 0, 12 * MIB);
                out.flush();
                stored = awaitStored(b, location, 10 * MIB);
                doomed.kill();
            }
            assertThat(doomed.isAlive()).isFalse();
        }

        assertThat(stored).as("whole S3 parts the killed replica wrote").isGreaterThanOrEqualTo(10 * MIB);
        HttpResponse<byte[]> status = b.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-" + (stored - 1));
        location = patch(b, location, content, (int) stored, content.length);
        HttpResponse<byte[]> done = b.send("PUT", withQuery(location, "digest=" + digest), null);

        assertThat(done.statusCode()).as(new String(done.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        assertThat(b.get("/v2/killed/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(a.get("/v2/killed/app/blobs/" + digest).body()).as("the surviving pair agrees").isEqualTo(content);
    }

    /** The bytes the other replica reports stored for an upload once it reaches {@code atLeast}. */
    private static long awaitStored(Replica replica, String location, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<byte[]> status = replica.get(location);
            assertThat(status.statusCode()).as("upload status").isEqualTo(204);
            String range = status.headers().firstValue("Range").orElse("0-0");
            long stored = Long.parseLong(range.substring(range.indexOf('-') + 1)) + 1;
            if (stored >= atLeast || System.nanoTime() > deadline) {
                return stored;
            }
            Thread.sleep(50);
        }
    }

    private static String patch(Replica replica, String location, byte[] content, int from, int to) throws Exception {
        HttpResponse<byte[]> response = replica.send("PATCH", location, Arrays.copyOfRange(content, from, to),
                "Content-Range", from + "-" + (to - 1), "Content-Type", "application/octet-stream");
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(202);
        return replica.location(response);
    }

    private static Digest push(Replica replica, String repository, byte[] content) throws Exception {
        Digest digest = Digest.sha256(content);
        String location = replica.location(replica.send("POST", "/v2/" + repository + "/blobs/uploads/", null));
        HttpResponse<byte[]> done = replica.send("PUT", withQuery(location, "digest=" + digest), content,
                "Content-Type", "application/octet-stream");
        assertThat(done.statusCode()).isEqualTo(201);
        return digest;
    }

    /** Pushes a config and a layer and returns an image manifest naming them (or {@code manifest} as given). */
    private static byte[] pushAll(Replica replica, String repository, byte[] config, byte[] layer, byte[] manifest) throws Exception {
        Digest configDigest = push(replica, repository, config);
        Digest layerDigest = push(replica, repository, layer);
        return manifest != null ? manifest : Images.json(Map.of(
                "schemaVersion", 2,
                "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Images.descriptor(Images.OCI_CONFIG, configDigest, config.length),
                "layers", List.of(Images.descriptor(Images.OCI_LAYER, layerDigest, layer.length))));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
