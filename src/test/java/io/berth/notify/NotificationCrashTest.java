package io.berth.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill -9 of Berth right after pushes were acknowledged, while the endpoint is down, loses none of
 * their events: the restarted process takes its outbox back and delivers them all.
 */
class NotificationCrashTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void aKillAfterAcknowledgedPushesLosesNoEventAcrossTheRestart() throws Exception {
        try (Receiver receiver = Receiver.down()) {
            Path config = Files.writeString(dir.resolve("config.yml"), """
                    version: 0.1
                    notifications:
                      endpoints:
                        - name: receiver
                          url: %s
                          threshold: 1
                          backoff: 20ms
                    """.formatted(receiver.url()));
            Path root = dir.resolve("root");
            List<String> acknowledged = new ArrayList<>();
            try (ServerProcess server = ServerProcess.builder(root).jvmOptions(List.of("-Xmx128m")).arguments(config.toString()).start()) {
                for (int i = 0; i < 3; i++) {
                    acknowledged.addAll(pushImage(server.port(), "crash/image" + i, "image " + i));
                }
                server.kill();
            }
            receiver.up();
            try (ServerProcess restarted = ServerProcess.builder(root).jvmOptions(List.of("-Xmx128m")).arguments(config.toString()).start()) {
                List<JsonNode> events = receiver.await(e -> e.size() >= acknowledged.size(), Duration.ofSeconds(60));
                assertThat(events).extracting(e -> e.path("action").asText() + " " + e.path("target").path("repository").asText() + " "
                        + e.path("target").path("digest").asText()).containsExactlyElementsOf(acknowledged);
                assertThat(restarted.isAlive()).isTrue();
            }
        }
    }

    /** Pushes a config, a layer and a manifest tagged {@code latest}; returns each push event expected, as each was acknowledged. */
    private List<String> pushImage(int port, String repository, String seed) throws Exception {
        List<String> expected = new ArrayList<>();
        byte[] configBlob = ("{\"seed\":\"" + seed + "\"}").getBytes();
        byte[] layer = (seed + " layer").getBytes();
        for (byte[] blob : List.of(configBlob, layer)) {
            Digest digest = Digest.sha256(blob);
            HttpResponse<String> pushed = send(port, "POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, blob,
                    "application/octet-stream");
            assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
            expected.add("push " + repository + " " + digest);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, Digest.sha256(configBlob), configBlob.length));
        manifest.put("layers", List.of(Images.descriptor(Images.OCI_LAYER, Digest.sha256(layer), layer.length)));
        byte[] bytes = Images.json(manifest);
        HttpResponse<String> put = send(port, "PUT", "/v2/" + repository + "/manifests/latest", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        expected.add("push " + repository + " " + Digest.sha256(bytes));
        return expected;
    }

    private HttpResponse<String> send(int port, String method, String path, byte[] body, String contentType) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
