package io.berth.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every action Berth notifies of reaches a real receiver with Distribution's fields: pushes on commit,
 * mounts, pulls on GET only, manifest pushes and pulls with their tag, deletes; the configured headers
 * are sent; the ignore lists hold events back per endpoint; the debug page and metrics show each endpoint.
 */
class NotificationEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Receiver all;
    static Receiver filtered;
    static TestRegistry registry;
    static Images images;

    @BeforeAll
    static void start() throws Exception {
        all = Receiver.start();
        filtered = Receiver.start();
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                http:
                  debug:
                    addr: 127.0.0.1:0
                    prometheus:
                      enabled: true
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: all
                      url: %s
                      headers:
                        Authorization: [Bearer notify-token]
                        X-Extra: [one, two]
                      timeout: 5s
                      threshold: 3
                      backoff: 100ms
                    - name: filtered
                      url: %s
                      backoff: 100ms
                      ignoredmediatypes: [application/octet-stream]
                      ignore:
                        mediatypes: [application/vnd.oci.image.manifest.v1+json]
                        actions: [pull]
                    - name: off
                      url: http://127.0.0.1:1/never
                      disabled: true
                """.formatted(all.url(), filtered.url()));
        registry = TestRegistry.builder(dir.resolve("root")).config(config).start();
        images = new Images(registry);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        all.close();
        filtered.close();
    }

    @Test
    void blobPushesArriveOnCommitWithTheirDescriptorTheRequestAndTheSource() throws Exception {
        byte[] content = "monolithic".getBytes();
        HttpResponse<byte[]> pushed = registry.send("POST", "/v2/events/push/blobs/uploads/?digest=" + Digest.sha256(content), content,
                "Content-Type", "application/octet-stream", "User-Agent", "notify-test/1");
        assertThat(pushed.statusCode()).isEqualTo(201);
        Digest chunked = pushChunked("events/push", "chunk one, ".getBytes(), "chunk two".getBytes());

        List<JsonNode> events = all.await(has("push", "events/push", chunked.toString()), WAIT);
        JsonNode event = find(events, "push", "events/push", Digest.sha256(content).toString());
        assertThat(fields(event)).containsExactlyInAnyOrder("id", "timestamp", "action", "target", "target.mediaType", "target.size",
                "target.digest", "target.length", "target.repository", "target.url", "request", "request.id", "request.addr",
                "request.host", "request.method", "request.useragent", "actor", "source", "source.addr", "source.instanceID");
        assertThat(UUID.fromString(event.path("id").asText())).isNotNull();
        assertThat(Instant.parse(event.path("timestamp").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(event.path("target").path("mediaType").asText()).isEqualTo("application/octet-stream");
        assertThat(event.path("target").path("size").asLong()).isEqualTo(content.length);
        assertThat(event.path("target").path("length").asLong()).isEqualTo(content.length);
        assertThat(event.path("target").path("url").asText())
                .isEqualTo("http://127.0.0.1:" + registry.port() + "/v2/events/push/blobs/" + Digest.sha256(content));
        assertThat(event.path("request").path("id").asText()).isEqualTo(pushed.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(event.path("request").path("addr").asText()).startsWith("127.0.0.1:");
        assertThat(event.path("request").path("host").asText()).isEqualTo("127.0.0.1:" + registry.port());
        assertThat(event.path("request").path("method").asText()).isEqualTo("POST");
        assertThat(event.path("request").path("useragent").asText()).isEqualTo("notify-test/1");
        assertThat(event.path("actor").isEmpty()).as("anonymous: an empty actor, as Distribution sends").isTrue();
        assertThat(event.path("source").path("addr").asText()).endsWith(":" + registry.port());
        assertThat(event.path("source").path("instanceID").asText()).isNotBlank();
        JsonNode last = find(events, "push", "events/push", chunked.toString());
        assertThat(last.path("request").path("method").asText()).as("a chunked push is notified on its closing PUT").isEqualTo("PUT");
        assertThat(last.path("target").path("size").asLong()).isEqualTo("chunk one, chunk two".length());

        Receiver.Post post = all.posts().getFirst();
        assertThat(post.headers().getFirst("Content-Type")).isEqualTo("application/vnd.docker.distribution.events.v1+json");
        assertThat(post.headers().get("Authorization")).containsExactly("Bearer notify-token");
        assertThat(post.headers().get("X-Extra")).containsExactly("one", "two");
        assertThat(post.body().fieldNames()).toIterable().containsExactly("events");
    }

    @Test
    void aMountArrivesWithTheRepositoryTheBlobCameFrom() throws Exception {
        Digest digest = registry.push("events/source", "mounted".getBytes());
        HttpResponse<byte[]> mounted = registry.send("POST", "/v2/events/mounted/blobs/uploads/?mount=" + digest + "&from=events/source", null);
        assertThat(mounted.statusCode()).isEqualTo(201);
        JsonNode event = find(all.await(has("mount", "events/mounted", digest.toString()), WAIT), "mount", "events/mounted", digest.toString());
        assertThat(event.path("target").path("fromRepository").asText()).isEqualTo("events/source");
        assertThat(event.path("target").path("size").asLong()).isEqualTo("mounted".length());
        assertThat(event.path("target").path("url").asText()).endsWith("/v2/events/mounted/blobs/" + digest);
    }

    @Test
    void aBlobGetIsAPullAndAHeadIsNot() throws Exception {
        Digest digest = registry.push("events/pull", "pulled".getBytes());
        assertThat(registry.head("/v2/events/pull/blobs/" + digest).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> got = registry.get("/v2/events/pull/blobs/" + digest);
        assertThat(got.statusCode()).isEqualTo(200);
        List<JsonNode> events = all.await(has("pull", "events/pull", digest.toString()), WAIT);
        assertThat(events.stream().filter(e -> e.path("action").asText().equals("pull")
                && e.path("target").path("repository").asText().equals("events/pull"))).hasSize(1);
        JsonNode pull = find(events, "pull", "events/pull", digest.toString());
        assertThat(pull.path("request").path("id").asText()).isEqualTo(got.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(pull.path("request").path("method").asText()).isEqualTo("GET");
        assertThat(pull.path("target").path("size").asLong()).isEqualTo("pulled".length());
    }

    @Test
    void manifestPushesCarryTheirTagAndTheirReferences() throws Exception {
        Map<String, Object> manifest = images.image("events/manifests", "references", 2);
        Digest byTag = images.push("events/manifests", "v1", manifest);
        manifest.put("annotations", Map.of("second", "yes"));
        Digest byDigest = Digest.sha256(Images.json(manifest));
        assertThat(images.put("events/manifests", byDigest.toString(), Images.json(manifest), MediaTypes.OCI_MANIFEST).statusCode())
                .isEqualTo(201);

        List<JsonNode> events = all.await(has("push", "events/manifests", byDigest.toString()), WAIT);
        JsonNode tagged = find(events, "push", "events/manifests", byTag.toString());
        assertThat(tagged.path("target").path("tag").asText()).isEqualTo("v1");
        assertThat(tagged.path("target").path("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(tagged.path("target").path("size").asLong()).isEqualTo(Images.json(images.image("events/manifests", "references", 2)).length);
        assertThat(tagged.path("target").path("url").asText()).endsWith("/v2/events/manifests/manifests/" + byTag);
        JsonNode references = tagged.path("target").path("references");
        assertThat(references).hasSize(3);
        assertThat(references.get(0).path("mediaType").asText()).isEqualTo(Images.OCI_CONFIG);
        assertThat(fields(references.get(1))).containsExactlyInAnyOrder("mediaType", "digest", "size");
        assertThat(find(events, "push", "events/manifests", byDigest.toString()).path("target").has("tag"))
                .as("a push by digest has no tag").isFalse();
    }

    @Test
    void manifestPullsByTagCarryTheTagAndHeadsAreNotPulls() throws Exception {
        Digest digest = images.push("events/manifest-pull", "latest", images.image("events/manifest-pull", "pull", 1));
        assertThat(registry.head("/v2/events/manifest-pull/manifests/latest").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/events/manifest-pull/manifests/latest").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/events/manifest-pull/manifests/" + digest).statusCode()).isEqualTo(200);
        List<JsonNode> events = all.await(e -> pulls(e, "events/manifest-pull").size() == 2, WAIT);
        List<JsonNode> pulls = pulls(events, "events/manifest-pull");
        assertThat(pulls).allSatisfy(p -> assertThat(p.path("target").path("digest").asText()).isEqualTo(digest.toString()));
        assertThat(pulls.get(0).path("target").path("tag").asText()).isEqualTo("latest");
        assertThat(pulls.get(1).path("target").has("tag")).isFalse();
        assertThat(pulls.get(0).path("target").path("references")).as("includereferences lists them on pulls too").hasSize(2);
    }

    @Test
    void deletesOfManifestsTagsAndBlobsNameWhatWasDeleted() throws Exception {
        Map<String, Object> manifest = images.image("events/delete", "delete", 1);
        Digest digest = images.push("events/delete", "gone", manifest);
        assertThat(images.push("events/delete", "kept", manifest)).isEqualTo(digest);
        assertThat(registry.send("DELETE", "/v2/events/delete/manifests/gone", null).statusCode()).isEqualTo(202);
        assertThat(registry.send("DELETE", "/v2/events/delete/manifests/" + digest, null).statusCode()).isEqualTo(202);
        Digest blob = registry.push("events/delete", "blob to delete".getBytes());
        assertThat(registry.send("DELETE", "/v2/events/delete/blobs/" + blob, null).statusCode()).isEqualTo(202);

        List<JsonNode> events = all.await(has("delete", "events/delete", blob.toString()), WAIT);
        List<JsonNode> deletes = events.stream().filter(e -> e.path("action").asText().equals("delete")
                && e.path("target").path("repository").asText().equals("events/delete")).toList();
        assertThat(deletes).hasSize(4);
        assertThat(fields(deletes.get(0).path("target"))).containsExactlyInAnyOrder("repository", "tag");
        assertThat(deletes.get(0).path("target").path("tag").asText()).isEqualTo("gone");
        assertThat(fields(deletes.get(1).path("target"))).containsExactlyInAnyOrder("repository", "digest");
        assertThat(deletes.get(1).path("target").path("digest").asText()).isEqualTo(digest.toString());
        assertThat(deletes.get(2).path("target").path("tag").asText()).as("the tag the manifest's delete removed, as Distribution tells")
                .isEqualTo("kept");
        assertThat(deletes.get(3).path("target").path("digest").asText()).isEqualTo(blob.toString());
        assertThat(deletes.get(3).path("request").path("method").asText()).isEqualTo("DELETE");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theIgnoreListsKeepActionsAndMediaTypesFromAnEndpoint() throws Exception {
        String repository = "events/filtered";
        Map<String, Object> manifest = images.image(repository, "filtered", 1);
        Digest oci = images.push(repository, "oci", manifest);
        Map<String, Object> dockerManifest = new LinkedHashMap<>(manifest);
        dockerManifest.put("mediaType", MediaTypes.DOCKER_MANIFEST);
        Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) manifest.get("config"));
        config.put("mediaType", "application/vnd.docker.container.image.v1+json");
        dockerManifest.put("config", config);
        dockerManifest.put("layers", List.of());
        byte[] docker = Images.json(dockerManifest);
        assertThat(images.put(repository, "docker", docker, MediaTypes.DOCKER_MANIFEST).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/" + repository + "/manifests/docker").statusCode()).isEqualTo(200);
        assertThat(registry.send("DELETE", "/v2/" + repository + "/manifests/oci", null).statusCode()).isEqualTo(202);

        Predicate<List<JsonNode>> tagDeleted = events -> events.stream().anyMatch(e -> e.path("action").asText().equals("delete")
                && e.path("target").path("repository").asText().equals(repository));
        List<JsonNode> unfiltered = all.await(tagDeleted, WAIT);
        assertThat(unfiltered.stream().filter(e -> e.path("target").path("repository").asText().equals(repository)))
                .as("the blobs, both manifests, the pull and the delete").hasSize(6);
        List<JsonNode> events = filtered.await(tagDeleted, WAIT).stream()
                .filter(e -> e.path("target").path("repository").asText().equals(repository)).toList();
        assertThat(events).extracting(e -> e.path("action").asText() + " " + e.path("target").path("mediaType").asText(""))
                .as("blobs (ignoredmediatypes), the OCI manifest (ignore.mediatypes) and the pull (ignore.actions) are left out")
                .containsExactly("push " + MediaTypes.DOCKER_MANIFEST, "delete ");
        assertThat(oci).isNotNull();
    }

    @Test
    void theDebugPageAndTheMetricsShowEachEndpoint() throws Exception {
        Digest digest = registry.push("events/observed", "observed".getBytes());
        all.await(has("push", "events/observed", digest.toString()), WAIT);
        filtered.await(e -> true, WAIT);
        HttpResponse<String> page = registry.debugGet("/debug/notifications");
        assertThat(page.statusCode()).isEqualTo(200);
        JsonNode view = JSON.readTree(page.body());
        assertThat(view.path("instance").asText()).isNotBlank();
        assertThat(view.path("endpoints")).extracting(e -> e.path("name").asText()).containsExactly("all", "filtered");
        JsonNode first = view.path("endpoints").get(0);
        assertThat(first.path("url").asText()).isEqualTo(all.url());
        assertThat(first.path("delivered").asLong()).isPositive();
        assertThat(first.path("dropped").asLong()).isZero();
        assertThat(Instant.parse(first.path("lastSuccess").asText())).isBefore(Instant.now().plusSeconds(1));

        String metrics = registry.debugGet("/metrics").body();
        assertThat(metrics).contains("berth_notifications_delivered_total{endpoint=\"all\"}", "berth_notifications_pending{endpoint=\"all\"}",
                "berth_notifications_failures_total{endpoint=\"filtered\"}", "berth_notifications_dropped_total{endpoint=\"all\"} 0.0",
                "berth_notifications_last_success_timestamp_seconds{endpoint=\"all\"}", "berth_notifications_posts_total{endpoint=\"all\"}",
                "berth_notifications_delivery_seconds_total{endpoint=\"all\"}");
    }

    @Test
    void theActorIsTheSignedInUser() throws Exception {
        Process htpasswd = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", "alice", "alice-pw").redirectErrorStream(true).start();
        String line = new String(htpasswd.getInputStream().readAllBytes()).strip();
        assertThat(htpasswd.waitFor()).as(line).isZero();
        Path users = Files.writeString(dir.resolve("htpasswd"), line + "\n");
        Path config = Files.writeString(dir.resolve("auth.yml"), """
                version: 0.1
                auth:
                  htpasswd:
                    realm: notify
                    path: %s
                notifications:
                  endpoints:
                    - name: all
                      url: %s
                      backoff: 100ms
                """.formatted(users, all.url()));
        try (TestRegistry signedIn = TestRegistry.builder(dir.resolve("auth-root")).config(config).start()) {
            byte[] content = "signed in".getBytes();
            String basic = "Basic " + Base64.getEncoder().encodeToString("alice:alice-pw".getBytes());
            assertThat(signedIn.send("POST", "/v2/events/actor/blobs/uploads/?digest=" + Digest.sha256(content), content,
                    "Authorization", basic).statusCode()).isEqualTo(201);
            JsonNode event = find(all.await(has("push", "events/actor", Digest.sha256(content).toString()), WAIT), "push", "events/actor",
                    Digest.sha256(content).toString());
            assertThat(fields(event.path("actor"))).containsExactly("name");
            assertThat(event.path("actor").path("name").asText()).isEqualTo("alice");
        }
    }

    private static Digest pushChunked(String repository, byte[]... chunks) throws Exception {
        String location = registry.startUpload(repository);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            HttpResponse<byte[]> patched = registry.send("PATCH", location, chunk, "Content-Type", "application/octet-stream");
            assertThat(patched.statusCode()).isEqualTo(202);
            location = patched.headers().firstValue("Location").orElseThrow();
            whole.writeBytes(chunk);
        }
        Digest digest = Digest.sha256(whole.toByteArray());
        assertThat(registry.send("PUT", TestRegistry.withQuery(location, "digest=" + digest), null).statusCode()).isEqualTo(201);
        return digest;
    }

    static Predicate<List<JsonNode>> has(String action, String repository, String digest) {
        return events -> events.stream().anyMatch(e -> matches(e, action, repository, digest));
    }

    static JsonNode find(List<JsonNode> events, String action, String repository, String digest) {
        return events.stream().filter(e -> matches(e, action, repository, digest)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " of " + digest + " in " + repository + " among " + events));
    }

    private static boolean matches(JsonNode event, String action, String repository, String digest) {
        return event.path("action").asText().equals(action) && event.path("target").path("repository").asText().equals(repository)
                && event.path("target").path("digest").asText().equals(digest);
    }

    private static List<JsonNode> pulls(List<JsonNode> events, String repository) {
        return events.stream().filter(e -> e.path("action").asText().equals("pull")
                && e.path("target").path("repository").asText().equals(repository)).toList();
    }

    /** The dotted paths of every field of an object, nested ones too (not into arrays). */
    static Set<String> fields(JsonNode node) {
        Set<String> paths = new TreeSet<>();
        collect(node, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String prefix, Set<String> paths) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix + field.getKey();
            paths.add(path);
            if (field.getValue().isObject()) {
                collect(field.getValue(), path + ".", paths);
            }
        }
    }
}
