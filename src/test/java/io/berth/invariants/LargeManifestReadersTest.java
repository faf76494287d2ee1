package io.berth.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests are held in memory whole, so their number in memory at once is bounded: with the
 * launcher's heap, many concurrent requests for a manifest of the largest size are all answered
 * (200, or 429 with Retry-After past the bound), never 5xx, and the server lives on.
 */
class LargeManifestReadersTest {

    static final int READERS = 32;
    static final int ROUNDS = 3;

    @TempDir
    static Path root;
    static ServerProcess server;
    static HttpClient client;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(root, ServerProcess.launcherJvmOptions());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void concurrentReadersOfAFourMebibyteManifestAreAllAnsweredWithoutA5xx() throws Exception {
        byte[] manifest = largestManifest();
        Digest digest = Digest.sha256(manifest);
        HttpResponse<String> pushed = send(HttpRequest.newBuilder(base.resolve("/v2/big/manifests/v1"))
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);

        int served = 0;
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
                for (int i = 0; i < READERS; i++) {
                    String reference = i % 2 == 0 ? "v1" : digest.toString();
                    answers.add(readers.submit(() -> client.send(HttpRequest.newBuilder(base.resolve("/v2/big/manifests/" + reference))
                            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray())));
                }
                for (Future<HttpResponse<byte[]>> answer : answers) {
                    HttpResponse<byte[]> response = answer.get();
                    String text = new String(response.body(), 0, Math.min(300, response.body().length), StandardCharsets.UTF_8);
                    assertThat(response.statusCode()).as(text).isIn(200, 429);
                    if (response.statusCode() == 200) {
                        assertThat(Digest.sha256(response.body())).isEqualTo(digest);
                        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
                        served++;
                    } else {
                        assertThat(response.headers().firstValue("Retry-After")).isPresent();
                        assertThat(text).contains("TOOMANYREQUESTS");
                    }
                }
            }
        }
        assertThat(served).as("readers served").isGreaterThan(0);
        assertThat(server.isAlive()).isTrue();
        HttpResponse<String> after = send(HttpRequest.newBuilder(base.resolve("/v2/big/manifests/v1")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(String.join("\n", server.output())).doesNotContain("OutOfMemoryError");
    }

    /** An image manifest of just under 4 MiB, its bulk in one annotation; its config is pushed first. */
    private static byte[] largestManifest() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        HttpResponse<String> blob = send(HttpRequest.newBuilder(base.resolve("/v2/big/blobs/uploads/?digest=" + configDigest))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(config)));
        assertThat(blob.statusCode()).as(blob.body()).isEqualTo(201);
        String head = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + "application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[],"
                + "\"annotations\":{\"pad\":\"";
        String tail = "\"}}";
        return (head + "x".repeat(4 * 1024 * 1024 - 64 - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
