package io.berth.auth;

import static io.berth.auth.SignIns.assertChallenged;
import static io.berth.auth.SignIns.assertError;
import static io.berth.auth.SignIns.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.access} through real HTTP with htpasswd: the example rules plus a delete grant,
 * judged for pulls, pushes, deletes, mounts and the catalog of each caller; and a second server
 * without rules, where every signed-in user may do everything and anonymous nothing.
 */
class AccessRulesHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHALLENGE = "Basic realm=\"rules\"";
    private static final byte[] SHARED = "a layer in public/base and team-a/app".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SECRET = "a layer only bob/private has".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static TestRegistry registry;
    /** The same users without {@code auth.access}. */
    static TestRegistry open;

    static final Client anonymous = new Client(null);
    static final Client alice = new Client(basic("alice", "alice-pw"));
    static final Client bob = new Client(basic("bob", "bob-pw"));
    static final Client carol = new Client(basic("carol", "carol-pw"));
    static final Client admin = new Client(basic("admin", "admin-pw"));

    /** Who sends a request: the {@code Authorization} value, or null for none. */
    record Client(String authorization) {
        HttpResponse<byte[]> send(TestRegistry server, String method, String path, byte[] body, String... headers) throws Exception {
            List<String> all = new ArrayList<>(List.of(headers));
            if (authorization != null) {
                all.addAll(List.of("Authorization", authorization));
            }
            return server.send(method, path, body, all.toArray(String[]::new));
        }

        HttpResponse<byte[]> get(String path) throws Exception {
            return send(registry, "GET", path, null);
        }

        /** A blob in one POST. */
        HttpResponse<byte[]> push(TestRegistry server, String repository, byte[] content) throws Exception {
            return send(server, "POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(content), content,
                    "Content-Type", "application/octet-stream");
        }

        HttpResponse<byte[]> putManifest(TestRegistry server, String repository, String reference, byte[] manifest) throws Exception {
            return send(server, "PUT", "/v2/" + repository + "/manifests/" + reference, manifest, "Content-Type", MediaTypes.OCI_MANIFEST);
        }

        HttpResponse<byte[]> mount(String repository, byte[] content, String from) throws Exception {
            return send(registry, "POST", "/v2/" + repository + "/blobs/uploads/?mount=" + Digest.sha256(content) + "&from=" + from, null);
        }

        /** Pushes a config, {@code layer} and a manifest naming them under {@code tag}, checking each step; the manifest's bytes. */
        byte[] pushImage(TestRegistry server, String repository, String tag, byte[] layer) throws Exception {
            byte[] config = ("{\"repository\":\"" + repository + "\"}").getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : List.of(config, layer)) {
                assertThat(push(server, repository, blob).statusCode()).isEqualTo(201);
            }
            byte[] manifest = manifest(config, layer);
            assertThat(putManifest(server, repository, tag, manifest).statusCode()).isEqualTo(201);
            return manifest;
        }

        /** Every name of the catalog this caller sees, reading pages of {@code n} by their Link; asserts each page's size. */
        List<String> catalog(TestRegistry server, int n) throws Exception {
            List<String> names = new ArrayList<>();
            String next = "/v2/_catalog?n=" + n;
            while (next != null) {
                HttpResponse<byte[]> page = send(server, "GET", next, null);
                assertThat(page.statusCode()).isEqualTo(200);
                List<String> listed = JSON.convertValue(JSON.readTree(page.body()).path("repositories"), List.class);
                assertThat(listed).hasSizeLessThanOrEqualTo(n);
                names.addAll(listed);
                next = page.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>'))).orElse(null);
                assertThat(next == null || !listed.isEmpty()).as("a page with a next link lists something").isTrue();
            }
            return names;
        }
    }

    static byte[] manifest(byte[] config, byte[] layer) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, Digest.sha256(config), config.length));
        manifest.put("layers", List.of(Images.descriptor(Images.OCI_LAYER, Digest.sha256(layer), layer.length)));
        return Images.json(manifest);
    }

    @BeforeAll
    static void start() throws Exception {
        Path users = SignIns.htpasswdFile(dir.resolve("htpasswd"),
                "alice", "alice-pw", "bob", "bob-pw", "carol", "carol-pw", "admin", "admin-pw");
        String htpasswd = """
                version: 0.1
                auth:
                  htpasswd:
                    realm: rules
                    path: %s
                """.formatted(users);
        registry = TestRegistry.builder(dir.resolve("root")).config(Files.writeString(dir.resolve("rules.yml"), htpasswd + """
                  access:
                    - repositories: ["public/**"]
                      users: [anonymous, "*"]
                      actions: [pull]
                    - repositories: ["team-a/**"]
                      users: [alice]
                      actions: [pull, push]
                    - repositories: ["team-a/**"]
                      users: [carol]
                      actions: [pull, delete]
                    - repositories: ["bob/*"]
                      users: [bob]
                      actions: ["*"]
                    - repositories: ["**"]
                      users: [admin]
                      actions: [pull, push]
                """)).start();
        open = TestRegistry.builder(dir.resolve("open")).config(Files.writeString(dir.resolve("open.yml"), htpasswd)).start();
        admin.pushImage(registry, "public/base", "1.0", SHARED);
        admin.pushImage(registry, "team-a/app", "1.0", SHARED);
        admin.pushImage(registry, "bob/private", "1.0", SECRET);
        admin.pushImage(registry, "other/hidden", "1.0", SECRET);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        open.close();
    }

    @Test
    void anonymousPullsPublicManifestsBlobsAndTagsAsDoEmptyCredentials() throws Exception {
        byte[] manifest = manifest(("{\"repository\":\"public/base\"}").getBytes(StandardCharsets.UTF_8), SHARED);
        for (Client nobody : List.of(anonymous, new Client(basic("", "")))) {
            HttpResponse<byte[]> got = nobody.get("/v2/public/base/manifests/1.0");
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(manifest);
            assertThat(nobody.send(registry, "HEAD", "/v2/public/base/manifests/" + Digest.sha256(manifest), null).statusCode())
                    .isEqualTo(200);
            HttpResponse<byte[]> blob = nobody.get("/v2/public/base/blobs/" + Digest.sha256(SHARED));
            assertThat(blob.statusCode()).isEqualTo(200);
            assertThat(blob.body()).isEqualTo(SHARED);
            HttpResponse<byte[]> tags = nobody.get("/v2/public/base/tags/list");
            assertThat(tags.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(tags.body()).path("tags").toString()).isEqualTo("[\"1.0\"]");
        }
    }

    @Test
    void anonymousIsChallengedForWhatNoRuleGivesIt() throws Exception {
        assertChallenged(anonymous.get("/v2/"), CHALLENGE);
        assertChallenged(anonymous.get("/v2/team-a/app/manifests/1.0"), CHALLENGE);
        assertChallenged(anonymous.get("/v2/bob/private/blobs/" + Digest.sha256(SECRET)), CHALLENGE);
        assertChallenged(anonymous.send(registry, "POST", "/v2/public/base/blobs/uploads/", null), CHALLENGE);
        assertChallenged(anonymous.push(registry, "public/base", "anonymous bytes".getBytes(StandardCharsets.UTF_8)), CHALLENGE);
        assertChallenged(anonymous.putManifest(registry, "public/base", "2.0", "{}".getBytes(StandardCharsets.UTF_8)), CHALLENGE);
        assertChallenged(anonymous.send(registry, "POST", "/v2/team-a/app/blobs/uploads/", null), CHALLENGE);
        assertChallenged(anonymous.send(registry, "DELETE", "/v2/public/base/manifests/1.0", null), CHALLENGE);
        assertThat(anonymous.get("/v2/public/base/manifests/2.0").statusCode()).as("nothing was pushed").isEqualTo(404);
    }

    @Test
    void aSignedInUserWithoutTheRightIsDenied() throws Exception {
        assertError(bob.send(registry, "POST", "/v2/team-a/app/blobs/uploads/", null), 403, "DENIED");
        assertError(bob.push(registry, "team-a/app", "bob's bytes".getBytes(StandardCharsets.UTF_8)), 403, "DENIED");
        assertError(bob.putManifest(registry, "team-a/app", "bob", "{}".getBytes(StandardCharsets.UTF_8)), 403, "DENIED");
        assertError(bob.get("/v2/team-a/app/manifests/1.0"), 403, "DENIED");
        assertError(bob.push(registry, "public/base", "bob's bytes".getBytes(StandardCharsets.UTF_8)), 403, "DENIED");
        assertError(bob.push(registry, "bob/deeper/repo", "bob's bytes".getBytes(StandardCharsets.UTF_8)), 403, "DENIED");
        assertError(alice.get("/v2/bob/private/tags/list"), 403, "DENIED");

        String upload = alice.send(registry, "POST", "/v2/team-a/app/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
        assertError(bob.send(registry, "PATCH", upload, "stolen".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/octet-stream"), 403, "DENIED");
        assertError(bob.send(registry, "DELETE", upload, null), 403, "DENIED");
        assertThat(alice.send(registry, "DELETE", upload, null).statusCode()).as("alice cancels her own upload").isEqualTo(204);
    }

    @Test
    void aliceWithPushOnTeamAPushesMonolithicChunkedAndManifests() throws Exception {
        byte[] manifest = alice.pushImage(registry, "team-a/pushed", "1.0", "alice's layer".getBytes(StandardCharsets.UTF_8));
        assertThat(alice.get("/v2/team-a/pushed/manifests/1.0").body()).isEqualTo(manifest);

        byte[] chunk = "alice's chunked layer".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> started = alice.send(registry, "POST", "/v2/team-a/pushed/blobs/uploads/", null);
        assertThat(started.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> patched = alice.send(registry, "PATCH", started.headers().firstValue("Location").orElseThrow(), chunk,
                "Content-Type", "application/octet-stream", "Content-Range", "0-" + (chunk.length - 1));
        assertThat(patched.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> status = alice.send(registry, "GET", patched.headers().firstValue("Location").orElseThrow(), null);
        assertThat(status.statusCode()).isEqualTo(204);
        HttpResponse<byte[]> finished = alice.send(registry, "PUT",
                TestRegistry.withQuery(patched.headers().firstValue("Location").orElseThrow(), "digest=" + Digest.sha256(chunk)), null);
        assertThat(finished.statusCode()).isEqualTo(201);
        assertThat(alice.get("/v2/team-a/pushed/blobs/" + Digest.sha256(chunk)).body()).isEqualTo(chunk);
    }

    @Test
    void deletingNeedsADeleteGrantWhichPushDoesNotGive() throws Exception {
        byte[] layer = "a layer to delete".getBytes(StandardCharsets.UTF_8);
        Digest manifest = Digest.sha256(alice.pushImage(registry, "team-a/doomed", "1.0", layer));

        assertError(alice.send(registry, "DELETE", "/v2/team-a/doomed/manifests/1.0", null), 403, "DENIED");
        assertError(alice.send(registry, "DELETE", "/v2/team-a/doomed/manifests/" + manifest, null), 403, "DENIED");
        assertError(alice.send(registry, "DELETE", "/v2/team-a/doomed/blobs/" + Digest.sha256(layer), null), 403, "DENIED");
        assertError(admin.send(registry, "DELETE", "/v2/team-a/doomed/blobs/" + Digest.sha256(layer), null), 403, "DENIED");
        assertThat(alice.get("/v2/team-a/doomed/manifests/1.0").statusCode()).as("still there").isEqualTo(200);

        assertThat(carol.send(registry, "DELETE", "/v2/team-a/doomed/manifests/" + manifest, null).statusCode()).isEqualTo(202);
        assertThat(carol.send(registry, "DELETE", "/v2/team-a/doomed/blobs/" + Digest.sha256(layer), null).statusCode()).isEqualTo(202);
        assertError(carol.get("/v2/team-a/doomed/manifests/" + manifest), 404, "MANIFEST_UNKNOWN");
        assertError(carol.get("/v2/team-a/doomed/blobs/" + Digest.sha256(layer)), 404, "BLOB_UNKNOWN");
        assertError(carol.push(registry, "team-a/doomed", layer), 403, "DENIED");
    }

    @Test
    void aMountNeedsPullOnItsSourceAndPushOnItsTarget() throws Exception {
        assertError(alice.mount("team-a/app", SECRET, "bob/private"), 403, "DENIED");
        assertError(admin.get("/v2/team-a/app/blobs/" + Digest.sha256(SECRET)), 404, "BLOB_UNKNOWN");
        assertError(alice.mount("public/copy", SHARED, "team-a/app"), 403, "DENIED");
        assertError(bob.mount("bob/mine", SHARED, "team-a/app"), 403, "DENIED");
        assertChallenged(anonymous.mount("public/copy", SHARED, "public/base"), CHALLENGE);
        assertError(admin.get("/v2/public/copy/blobs/" + Digest.sha256(SHARED)), 404, "BLOB_UNKNOWN");

        HttpResponse<byte[]> mounted = bob.mount("bob/mine", SHARED, "public/base");
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Location")).hasValue("/v2/bob/mine/blobs/" + Digest.sha256(SHARED));
        assertThat(bob.get("/v2/bob/mine/blobs/" + Digest.sha256(SHARED)).body()).isEqualTo(SHARED);
    }

    @Test
    void theCatalogListsOnlyWhatTheCallerMayPullOnEveryPage() throws Exception {
        List<String> everything = admin.catalog(registry, 1000);
        assertThat(everything).contains("public/base", "team-a/app", "bob/private", "other/hidden");
        Map<Client, Predicate<String>> visible = Map.of(
                anonymous, name -> name.startsWith("public/"),
                alice, name -> name.startsWith("public/") || name.startsWith("team-a/"),
                carol, name -> name.startsWith("public/") || name.startsWith("team-a/"),
                bob, name -> name.startsWith("public/") || name.matches("bob/[^/]+"));
        for (var caller : visible.entrySet()) {
            List<String> expected = everything.stream().filter(caller.getValue()).toList();
            assertThat(expected).contains("public/base");
            assertThat(caller.getKey().catalog(registry, 1000)).isEqualTo(expected);
            assertThat(caller.getKey().catalog(registry, 1)).as("page by page").isEqualTo(expected);
        }
        assertThat(admin.catalog(registry, 1)).isEqualTo(everything);
    }

    @Test
    void withoutRulesEverySignedInUserMayPushAndDeleteAndAnonymousNothing() throws Exception {
        for (Client user : List.of(alice, bob)) {
            String repository = "anywhere/" + (user == alice ? "alice" : "bob");
            byte[] layer = (repository + " layer").getBytes(StandardCharsets.UTF_8);
            Digest manifest = Digest.sha256(user.pushImage(open, repository, "1.0", layer));
            assertThat(user.send(open, "GET", "/v2/" + repository + "/manifests/1.0", null).statusCode()).isEqualTo(200);
            assertThat(user.send(open, "DELETE", "/v2/" + repository + "/manifests/" + manifest, null).statusCode()).isEqualTo(202);
            assertThat(user.send(open, "DELETE", "/v2/" + repository + "/blobs/" + Digest.sha256(layer), null).statusCode()).isEqualTo(202);
        }
        assertThat(bob.catalog(open, 1)).contains("anywhere/alice", "anywhere/bob");

        for (String path : List.of("/v2/", "/v2/_catalog", "/v2/anywhere/alice/tags/list", "/v2/anywhere/alice/manifests/1.0")) {
            assertChallenged(anonymous.send(open, "GET", path, null), CHALLENGE);
        }
        assertChallenged(anonymous.push(open, "anywhere/anonymous", "x".getBytes(StandardCharsets.UTF_8)), CHALLENGE);
        assertChallenged(anonymous.send(open, "DELETE", "/v2/anywhere/alice/manifests/1.0", null), CHALLENGE);
    }
}
