package io.berth.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same pushes, mount, pulls and deletes through Berth and through Distribution 2.8.2 (Debian's
 * {@code docker-registry}), each notifying a receiver of its own: every kind of event has the same
 * set of JSON field paths from both (values differ: ids, times, ports). The table is printed too.
 */
class DistributionEventShapeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void berthsEventsHaveTheFieldsOfDistributionsForEveryAction() throws Exception {
        assertThat(Path.of("/usr/bin/docker-registry")).as("Debian's docker-registry is installed (./test installs it)").isRegularFile();
        try (Receiver forBerth = Receiver.start(); Receiver forDistribution = Receiver.start()) {
            Map<String, Set<String>> berth;
            try (TestRegistry registry = TestRegistry.builder(dir.resolve("berth")).config(endpointConfig(forBerth, "")).start()) {
                berth = shapes(forBerth, run(registry.port()));
            }
            int port = freePort();
            Path config = endpointConfig(forDistribution, """
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(dir.resolve("distribution"), port));
            Process distribution = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("distribution.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            Map<String, Set<String>> theirs;
            try {
                awaitUp(port);
                theirs = shapes(forDistribution, run(port));
            } finally {
                distribution.destroy();
                distribution.waitFor(20, TimeUnit.SECONDS);
            }
            print(berth, theirs);
            assertThat(berth.keySet()).isEqualTo(theirs.keySet());
            for (String kind : theirs.keySet()) {
                assertThat(berth.get(kind)).as("fields of a %s event", kind).isEqualTo(theirs.get(kind));
            }
        }
    }

    private Path endpointConfig(Receiver receiver, String more) throws Exception {
        return Files.writeString(dir.resolve("config-" + receiver.url().hashCode() + ".yml"), """
                version: 0.1
                %snotifications:
                  endpoints:
                    - name: shapes
                      url: %s
                      timeout: 2s
                      threshold: 3
                      backoff: 100ms
                """.formatted(more, receiver.url()));
    }

    /**
     * Pushes a config and a layer (POST, then PUT with the digest), a manifest by tag, mounts the layer
     * into a second repository, pulls the manifest by tag and by digest and the layer, then deletes
     * the manifest and the mounted layer. Returns the digest of that last delete.
     */
    private Digest run(int port) throws Exception {
        byte[] configBlob = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes();
        byte[] layer = "a layer, as bytes".getBytes();
        for (byte[] blob : List.of(configBlob, layer)) {
            HttpResponse<String> started = send(port, "POST", "/v2/shapes/image/blobs/uploads/", null, null);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String location = started.headers().firstValue("Location").orElseThrow();
            URI put = URI.create("http://127.0.0.1:" + port).resolve(TestRegistry.withQuery(location, "digest=" + Digest.sha256(blob)));
            HttpResponse<String> done = client.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, Digest.sha256(configBlob), configBlob.length));
        manifest.put("layers", List.of(Images.descriptor(Images.OCI_LAYER, Digest.sha256(layer), layer.length)));
        byte[] bytes = Images.json(manifest);
        Digest digest = Digest.sha256(bytes);
        Digest layerDigest = Digest.sha256(layer);
        expect(send(port, "PUT", "/v2/shapes/image/manifests/latest", bytes, MediaTypes.OCI_MANIFEST), 201);
        expect(send(port, "POST", "/v2/shapes/copy/blobs/uploads/?mount=" + layerDigest + "&from=shapes/image", null, null), 201);
        // Distribution serves an OCI manifest only to a client that accepts one.
        expect(send(port, "GET", "/v2/shapes/image/manifests/latest", null, null, "Accept", MediaTypes.OCI_MANIFEST), 200);
        expect(send(port, "GET", "/v2/shapes/image/manifests/" + digest, null, null, "Accept", MediaTypes.OCI_MANIFEST), 200);
        expect(send(port, "GET", "/v2/shapes/image/blobs/" + layerDigest, null, null), 200);
        expect(send(port, "DELETE", "/v2/shapes/image/manifests/" + digest, null, null), 202);
        expect(send(port, "DELETE", "/v2/shapes/copy/blobs/" + layerDigest, null, null), 202);
        return layerDigest;
    }

    /** Waits for the last delete, then maps each kind of event to the field paths its events have. */
    private static Map<String, Set<String>> shapes(Receiver receiver, Digest last) throws InterruptedException {
        List<JsonNode> events = receiver.await(NotificationEventsTest.has("delete", "shapes/copy", last.toString()), WAIT);
        assertThat(events).as("the events of both runs").hasSizeGreaterThanOrEqualTo(9);
        Map<String, Set<String>> shapes = new TreeMap<>();
        for (JsonNode event : events) {
            shapes.computeIfAbsent(kind(event), k -> new TreeSet<>()).addAll(NotificationEventsTest.fields(event));
        }
        return shapes;
    }

    /** The action, what it is about (from the URL, or the delete's target), and whether a tag came with it. */
    private static String kind(JsonNode event) {
        JsonNode target = event.path("target");
        String url = target.path("url").asText();
        String about = url.contains("/manifests/") ? "manifest" : url.contains("/blobs/") ? "blob"
                : event.path("request").path("method").asText() + " " + target.path("repository").asText();
        return event.path("action").asText() + " " + about + (target.has("tag") ? " by tag" : "");
    }

    private static void print(Map<String, Set<String>> berth, Map<String, Set<String>> theirs) {
        StringBuilder table = new StringBuilder("event kind | Berth's fields | Distribution 2.8.2's fields\n");
        Set<String> kinds = new TreeSet<>(berth.keySet());
        kinds.addAll(theirs.keySet());
        for (String kind : kinds) {
            table.append(kind).append(" | ").append(berth.get(kind)).append(" | ").append(theirs.get(kind)).append('\n');
        }
        System.out.print(table);
    }

    private void awaitUp(int port) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (send(port, "GET", "/v2/", null, null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("docker-registry answers within " + WAIT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(status);
    }

    /** {@code headers} alternate names and values. */
    private HttpResponse<String> send(int port, String method, String path, byte[] body, String contentType, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
