package io.berth.auth;

import static io.berth.auth.SignIns.basic;
import static io.berth.auth.SignIns.part;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.auth.token.SigningKey;
import io.berth.crypto.Pem;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Images;
import io.berth.testing.MutableClock;
import io.berth.testing.S3Proxy;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in token server ({@code auth.htpasswd} + {@code auth.tokenserver}) through real HTTP:
 * its challenge, its endpoint, the scopes it grants by the access rules, its refusals, and its key.
 */
class TokenServerHttpTest {

    private static final String RULES = """
              access:
                - repositories: ["public/**"]
                  users: [anonymous, "*"]
                  actions: [pull]
                - repositories: ["team-a/**"]
                  users: [alice]
                  actions: [pull, push]
            """;

    @TempDir
    static Path dir;
    static Path htpasswd;
    static TestRegistry registry;
    static final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeAll
    static void start() throws Exception {
        htpasswd = SignIns.htpasswdFile(dir.resolve("htpasswd"), "alice", "wonderland", "bob", "builder", "mallory", "right");
        registry = TestRegistry.builder(dir.resolve("root")).clock(clock).config(config("tokenserver:\n    enabled: true\n", RULES)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    /** A config.yml with htpasswd, the given tokenserver section (indented under auth) and rules. */
    static Path config(String tokenServer, String rules) throws Exception {
        String yaml = "version: 0.1\nauth:\n  htpasswd:\n    realm: berth-test\n    path: " + htpasswd + "\n  " + tokenServer + rules;
        return Files.writeString(Files.createTempFile(dir, "config", ".yml"), yaml);
    }

    @Test
    void theChallengePointsAtTheRegistrysOwnTokenEndpoint() throws Exception {
        String realm = "http://127.0.0.1:" + registry.port() + "/auth/token";
        HttpResponse<byte[]> base = registry.get("/v2/");
        assertThat(base.statusCode()).isEqualTo(401);
        assertThat(TestRegistry.errorCode(base)).isEqualTo("UNAUTHORIZED");
        assertThat(base.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"" + realm + "\",service=\"berth\"");
        HttpResponse<byte[]> push = registry.send("POST", "/v2/team-a/app/blobs/uploads/", null);
        assertThat(push.statusCode()).isEqualTo(401);
        assertThat(push.headers().allValues("WWW-Authenticate"))
                .containsExactly("Bearer realm=\"" + realm + "\",service=\"berth\",scope=\"repository:team-a/app:pull,push\"");
    }

    @Test
    void basicCredentialsGetATokenThatPushesAndPulls() throws Exception {
        HttpResponse<byte[]> response = registry.get("/auth/token?service=berth&scope=repository:team-a/app:pull,push",
                "Authorization", basic("alice", "wonderland"));
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        JsonNode answer = SignIns.JSON.readTree(response.body());
        assertThat(answer.path("expires_in").asLong()).isEqualTo(300);
        assertThat(answer.path("access_token").asText()).isEqualTo(answer.path("token").asText());
        assertThat(Instant.parse(answer.path("issued_at").asText())).isEqualTo(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        String bearer = "Bearer " + answer.path("token").asText();

        byte[] content = "pushed with a token of the built-in server".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> pushed = registry.send("POST", "/v2/team-a/app/blobs/uploads/?digest=" + digest, content, "Authorization", bearer);
        assertThat(pushed.statusCode()).as(body(pushed)).isEqualTo(201);
        HttpResponse<byte[]> pulled = registry.get("/v2/team-a/app/blobs/" + digest, "Authorization", bearer);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(content);
        assertThat(registry.get("/v2/", "Authorization", bearer).statusCode()).isEqualTo(200);
    }

    @Test
    void askedScopesAreIntersectedWithTheRules() throws Exception {
        JsonNode claims = claims(token(basic("alice", "wonderland"),
                "repository:team-a/app:pull,push,delete", "repository:team-b/app:pull", "repository:public/lib:push,pull"));
        assertThat(claims.path("sub").asText()).isEqualTo("alice");
        assertThat(claims.path("iss").asText()).isEqualTo("berth");
        assertThat(claims.path("aud").toString()).contains("berth");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(300);
        assertThat(claims.path("access")).hasSize(2);
        assertThat(claims.path("access").path(0).toString())
                .isEqualTo("{\"type\":\"repository\",\"name\":\"team-a/app\",\"actions\":[\"pull\",\"push\"]}");
        assertThat(claims.path("access").path(1).toString())
                .isEqualTo("{\"type\":\"repository\",\"name\":\"public/lib\",\"actions\":[\"pull\"]}");
    }

    @Test
    void anonymousGetsATokenGrantingOnlyWhatTheRulesGiveAnonymous() throws Exception {
        String token = token(null, "repository:public/lib:pull,push", "repository:team-a/app:pull");
        JsonNode claims = claims(token);
        assertThat(claims.path("sub").asText()).isEmpty();
        assertThat(claims.path("access")).hasSize(1);
        assertThat(claims.path("access").path(0).toString())
                .isEqualTo("{\"type\":\"repository\",\"name\":\"public/lib\",\"actions\":[\"pull\"]}");
        HttpResponse<byte[]> tags = registry.get("/v2/public/lib/tags/list", "Authorization", "Bearer " + token);
        assertThat(tags.statusCode()).as(body(tags)).isEqualTo(404);
        assertThat(TestRegistry.errorCode(tags)).isEqualTo("NAME_UNKNOWN");
        HttpResponse<byte[]> push = registry.send("POST", "/v2/public/lib/blobs/uploads/", null, "Authorization", "Bearer " + token);
        assertThat(push.statusCode()).isEqualTo(401);
        assertThat(push.headers().firstValue("WWW-Authenticate")).get().asString().endsWith(",error=\"insufficient_scope\"");
    }

    @Test
    void theCatalogScopeIsGrantedByTheRulesAndListsWhatTheCallerMayPull() throws Exception {
        String push = "Bearer " + token(basic("alice", "wonderland"), "repository:team-a/listed:pull,push");
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(config);
        assertThat(registry.send("POST", "/v2/team-a/listed/blobs/uploads/?digest=" + digest, config, "Authorization", push).statusCode())
                .isEqualTo(201);
        byte[] manifest = Images.json(Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_MANIFEST,
                "config", Images.descriptor(Images.OCI_CONFIG, digest, config.length), "layers", List.of()));
        assertThat(registry.send("PUT", "/v2/team-a/listed/manifests/1", manifest, "Content-Type", MediaTypes.OCI_MANIFEST,
                "Authorization", push).statusCode()).isEqualTo(201);

        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("alice", basic("alice", "wonderland"));
        callers.put("bob", basic("bob", "builder"));
        callers.put("anonymous", null);
        for (Map.Entry<String, String> caller : callers.entrySet()) {
            String token = token(caller.getValue(), "registry:catalog:*");
            assertThat(claims(token).path("access").toString()).as(caller.getKey())
                    .isEqualTo("[{\"type\":\"registry\",\"name\":\"catalog\",\"actions\":[\"*\"]}]");
            HttpResponse<byte[]> catalog = registry.get("/v2/_catalog", "Authorization", "Bearer " + token);
            assertThat(catalog.statusCode()).as(body(catalog)).isEqualTo(200);
            String listed = SignIns.JSON.readTree(catalog.body()).path("repositories").toString();
            if (caller.getKey().equals("alice")) {
                assertThat(listed).contains("team-a/listed");
            } else {
                assertThat(listed).as(caller.getKey()).doesNotContain("team-a");
            }
        }
    }

    @Test
    void aWrongPasswordGetsTheBasicChallenge() throws Exception {
        HttpResponse<byte[]> response = registry.get("/auth/token?service=berth&scope=repository:team-a/app:pull",
                "Authorization", basic("alice", "not-her-password"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestRegistry.errorCode(response)).isEqualTo("UNAUTHORIZED");
        assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"berth-test\"");
    }

    @Test
    void aWrongServiceOrAMalformedScopeIsABadRequest() throws Exception {
        List<String> queries = List.of("service=registry.example.com&scope=repository:team-a/app:pull",
                "service=berth&scope=repository:team-a", "service=berth&scope=nonsense", "service=berth&scope=:team-a/app:pull");
        for (String query : queries) {
            HttpResponse<byte[]> response = registry.get("/auth/token?" + query, "Authorization", basic("alice", "wonderland"));
            assertThat(response.statusCode()).as(query + ": " + body(response)).isEqualTo(400);
            assertThat(TestRegistry.errorCode(response)).isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void garbageCredentialsAtTheTokenEndpointGetTheBasicChallenge() throws Exception {
        List<String> garbage = List.of("Bearer " + "e30.e30.e30", "Basic !!!", "Basic", "Digest username=\"alice\"",
                "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xff, (byte) 0xfe}),
                "Basic " + "A".repeat(5000));
        for (String authorization : garbage) {
            HttpResponse<byte[]> response = registry.get("/auth/token?service=berth&scope=repository:team-a/app:pull",
                    "Authorization", authorization);
            assertThat(response.statusCode()).as("%.40s: %s", authorization, body(response)).isEqualTo(401);
            assertThat(TestRegistry.errorCode(response)).isEqualTo("UNAUTHORIZED");
            assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"berth-test\"");
        }
    }

    @Test
    void askingForMoreScopesThanAnyClientWouldIsABadRequest() throws Exception {
        StringBuilder query = new StringBuilder("/auth/token?service=berth");
        for (int i = 0; i < 65; i++) {
            query.append("&scope=repository:public/r").append(i).append(":pull");
        }
        HttpResponse<byte[]> response = registry.get(query.toString(), "Authorization", basic("bob", "builder"));
        assertThat(response.statusCode()).as(body(response)).isEqualTo(400);
        assertThat(TestRegistry.errorCode(response)).isEqualTo("BAD_REQUEST");
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        HttpResponse<byte[]> response = registry.send("POST", "/auth/token?service=berth", "grant_type=password".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded", "Authorization", basic("alice", "wonderland"));
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(TestRegistry.errorCode(response)).isEqualTo("UNSUPPORTED");
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void guessingAPasswordIsSlowedThenLockedOutWithRetryAfter() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<byte[]> last = null;
        for (int attempt = 1; attempt <= 10; attempt++) {
            last = registry.get("/auth/token?service=berth", "Authorization", basic("mallory", "guess-" + attempt));
            statuses.add(last.statusCode());
        }
        // The tenth failure locks the pair at once: it is answered 429, not held back and answered 401.
        assertThat(statuses).containsExactly(401, 401, 401, 401, 401, 401, 401, 401, 401, 429);
        assertThat(TestRegistry.errorCode(last)).isEqualTo("TOOMANYREQUESTS");
        assertThat(last.headers().firstValue("Retry-After")).hasValue("60");
        // Locked even with the right password; other users from the same address are not.
        assertThat(registry.get("/auth/token?service=berth", "Authorization", basic("mallory", "right")).statusCode()).isEqualTo(429);
        assertThat(registry.get("/auth/token?service=berth", "Authorization", basic("bob", "builder")).statusCode()).isEqualTo(200);
    }

    @Test
    void theGeneratedKeyIsKeptInStorageAndSurvivesARestart() throws Exception {
        String token = token(basic("alice", "wonderland"), "repository:team-a/kept:pull,push");
        Path kept = dir.resolve("root/docker/registry/v2/_berth/tokenkey/key");
        String keyId = SigningKey.fromPem(Files.readAllBytes(kept)).keyId();
        assertThat(part(token, 0).path("kid").asText()).isEqualTo(keyId);
        byte[] content = "pushed before a restart".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> pushed = registry.send("POST", "/v2/team-a/kept/blobs/uploads/?digest=" + digest, content,
                "Authorization", "Bearer " + token);
        assertThat(pushed.statusCode()).as(body(pushed)).isEqualTo(201);

        registry.restart();

        assertThat(SigningKey.fromPem(Files.readAllBytes(kept)).keyId()).isEqualTo(keyId);
        HttpResponse<byte[]> pulled = registry.get("/v2/team-a/kept/blobs/" + digest, "Authorization", "Bearer " + token);
        assertThat(pulled.statusCode()).as(body(pulled)).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(content);
    }

    @Test
    void replicasSharingS3StorageShareTheGeneratedKey() throws Exception {
        String bucket = S3Proxy.shared().createBucket("tokenkey");
        Path config = config("tokenserver:\n    enabled: true\n", RULES);
        try (TestRegistry first = TestRegistry.builder(dir.resolve("unused-1")).s3(S3Proxy.shared(), bucket, "/shared").config(config).start();
                TestRegistry second = TestRegistry.builder(dir.resolve("unused-2")).s3(S3Proxy.shared(), bucket, "/shared").config(config).start()) {
            HttpResponse<byte[]> issued = first.get("/auth/token?service=berth&scope=repository:team-a/app:pull",
                    "Authorization", basic("alice", "wonderland"));
            assertThat(issued.statusCode()).as(body(issued)).isEqualTo(200);
            String token = SignIns.JSON.readTree(issued.body()).path("token").asText();
            HttpResponse<byte[]> tags = second.get("/v2/team-a/app/tags/list", "Authorization", "Bearer " + token);
            assertThat(tags.statusCode()).as(body(tags)).isEqualTo(404);
            assertThat(TestRegistry.errorCode(tags)).isEqualTo("NAME_UNKNOWN");
        } finally {
            S3Proxy.shared().empty(bucket);
        }
    }

    @Test
    void aConfiguredKeyAndRealmAreUsedAndTokensExpireOnTheServersClock() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path keyFile = Files.write(dir.resolve("token-key.pem"), Pem.encode("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()));
        String realm = "https://registry.example.com/auth/token";
        MutableClock own = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
        Path config = config("tokenserver:\n    enabled: true\n    key: " + keyFile + "\n    realm: " + realm + "\n", "");
        try (TestRegistry other = TestRegistry.builder(dir.resolve("other-root")).clock(own).config(config).start()) {
            assertThat(other.get("/v2/").headers().allValues("WWW-Authenticate"))
                    .containsExactly("Bearer realm=\"" + realm + "\",service=\"berth\"");
            HttpResponse<byte[]> issued = other.get("/auth/token?service=berth&scope=repository:team-a/app:pull",
                    "Authorization", basic("bob", "builder"));
            assertThat(issued.statusCode()).as(body(issued)).isEqualTo(200);
            String token = SignIns.JSON.readTree(issued.body()).path("token").asText();
            assertThat(part(token, 0).path("alg").asText()).isEqualTo("RS256");
            assertThat(part(token, 0).path("kid").asText()).isEqualTo(SigningKey.fromPem(Files.readAllBytes(keyFile)).keyId());
            assertThat(Files.exists(dir.resolve("other-root/docker/registry/v2/_berth/tokenkey/key"))).isFalse();
            assertThat(other.get("/v2/", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
            // Without rules anonymous may do nothing, the catalog included.
            HttpResponse<byte[]> anonymous = other.get("/auth/token?service=berth&scope=registry:catalog:%2A");
            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(part(SignIns.JSON.readTree(anonymous.body()).path("token").asText(), 1).path("access")).isEmpty();

            // Five minutes of validity plus the minute of leeway, and one second more.
            own.advance(Duration.ofMinutes(6).plusSeconds(1));
            HttpResponse<byte[]> expired = other.get("/v2/team-a/app/tags/list", "Authorization", "Bearer " + token);
            assertThat(expired.statusCode()).isEqualTo(401);
            assertThat(TestRegistry.errorCode(expired)).isEqualTo("UNAUTHORIZED");
            assertThat(expired.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"" + realm
                    + "\",service=\"berth\",scope=\"repository:team-a/app:pull\",error=\"invalid_token\"");
        }
    }

    /** Asks the token endpoint for {@code scopes} with {@code authorization} (null: anonymous); the token. */
    private static String token(String authorization, String... scopes) throws Exception {
        StringBuilder query = new StringBuilder("/auth/token?service=berth");
        for (String scope : scopes) {
            query.append("&scope=").append(scope.replace("*", "%2A"));
        }
        HttpResponse<byte[]> response = authorization == null ? registry.get(query.toString())
                : registry.get(query.toString(), "Authorization", authorization);
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        return SignIns.JSON.readTree(response.body()).path("token").asText();
    }

    private static JsonNode claims(String token) throws Exception {
        return part(token, 1);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
