package io.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.testing.Distribution;
import io.berth.auth.token.TestTokenServer;
import io.berth.testing.Images;
import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache signs in to its upstreams as Docker clients do: HTTP Basic to a Distribution with
 * htpasswd ({@code proxy.remoteurl} with {@code proxy.username}/{@code password}), and the bearer
 * token flow to a Berth with its token server (a {@code proxy.remotes} entry with credentials).
 */
class ProxyAuthTest {

    private static final String USER = "mirror";
    private static final String PASSWORD = "s3cret-pull";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Distribution basic;
    static TestRegistry tokens;
    static TestRegistry cache;

    @BeforeAll
    static void start() throws Exception {
        basic = Distribution.start(dir.resolve("basic"), USER, PASSWORD);
        Path users = Distribution.htpasswd(dir.resolve("users"), USER, PASSWORD);
        tokens = TestRegistry.builder(dir.resolve("tokens")).clock(Clock.systemUTC())
                .env("REGISTRY_AUTH_HTPASSWD_PATH", users.toString())
                .env("REGISTRY_AUTH_TOKENSERVER_ENABLED", "true").start();
        Path config = Files.writeString(dir.resolve("cache.yml"), """
                version: 0.1
                proxy:
                  remoteurl: %s
                  username: %s
                  password: %s
                  remotes:
                    - name: tokens.test
                      remoteurl: http://127.0.0.1:%d
                      username: %s
                      password: %s
                """.formatted(basic.url(), USER, PASSWORD, tokens.port(), USER, PASSWORD));
        cache = TestRegistry.builder(dir.resolve("cache")).clock(Clock.systemUTC()).config(config).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {cache, tokens, basic}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void pullsThroughAnUpstreamThatAsksForBasic() throws Exception {
        byte[] layer = ProxyPullTest.random(50_000, 21);
        byte[] manifest = basic.pushImage("team/basic", "1", "{}".getBytes(StandardCharsets.UTF_8), layer);
        assertPulled("team/basic", manifest, layer);
        // containerd names the upstream's host in ?ns=: for proxy.remoteurl the name stays as it is.
        HttpResponse<byte[]> mirrored = cache.get("/v2/team/basic/manifests/1?ns=127.0.0.1:" + basic.port());
        assertThat(mirrored.statusCode()).isEqualTo(200);
        assertThat(mirrored.body()).isEqualTo(manifest);
    }

    @Test
    void pullsThroughAnUpstreamWithATokenServer() throws Exception {
        String token = token("team/tokens", "pull,push");
        byte[] layer = ProxyPullTest.random(50_000, 22);
        byte[] bytes = pushImage(tokens, token, "team/tokens", layer);
        assertThat(tokens.get("/v2/team/tokens/manifests/1").statusCode()).as("anonymous pull upstream").isEqualTo(401);

        assertPulled("tokens.test/team/tokens", bytes, layer);
    }

    @Test
    void tokensAreReusedUntilTheyExpire() throws Exception {
        // An upstream Berth that trusts an external token server (tokens of 300 s), and a cache whose clock the test moves.
        try (TestTokenServer issuer = TestTokenServer.start(dir.resolve("issuer"), "upstream.test", "test-issuer", Map.of(USER, PASSWORD));
                TestRegistry external = TestRegistry.builder(dir.resolve("external")).clock(Clock.systemUTC())
                        .env("REGISTRY_AUTH_TOKEN_REALM", issuer.realm())
                        .env("REGISTRY_AUTH_TOKEN_SERVICE", "upstream.test")
                        .env("REGISTRY_AUTH_TOKEN_ISSUER", "test-issuer")
                        .env("REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE", issuer.bundle().toString()).start()) {
            String token = issuer.token(TestTokenServer.Signer.KID,
                    issuer.claims(USER, List.of(TestTokenServer.access("repository", "team/reuse", "pull", "push"))));
            byte[] layer = ProxyPullTest.random(1000, 23);
            byte[] manifest = pushImage(external, token, "team/reuse", layer);
            MutableClock clock = new MutableClock(java.time.Instant.now());
            try (TestRegistry reusing = TestRegistry.builder(dir.resolve("reusing")).clock(clock)
                    .env("REGISTRY_PROXY_REMOTEURL", "http://127.0.0.1:" + external.port())
                    .env("REGISTRY_PROXY_USERNAME", USER).env("REGISTRY_PROXY_PASSWORD", PASSWORD).start()) {
                long before = issuer.issued();
                for (int i = 0; i < 3; i++) {
                    HttpResponse<byte[]> pulled = reusing.get("/v2/team/reuse/manifests/1");
                    assertThat(pulled.statusCode()).isEqualTo(200);
                    assertThat(pulled.body()).isEqualTo(manifest);
                }
                assertThat(reusing.get("/v2/team/reuse/blobs/" + Digest.sha256(layer)).body()).isEqualTo(layer);
                assertThat(issuer.issued() - before).as("one token for every request of the repository").isEqualTo(1);

                clock.advance(java.time.Duration.ofSeconds(300));
                assertThat(reusing.get("/v2/team/reuse/manifests/1").statusCode()).isEqualTo(200);
                assertThat(issuer.issued() - before).as("a new token once the first is about to expire").isEqualTo(2);
            }
        }
    }

    /** Pushes an OCI image of an empty config and one layer with a bearer token; returns the manifest's bytes. */
    private static byte[] pushImage(TestRegistry registry, String token, String repository, byte[] layer) throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Images.descriptor(Images.OCI_CONFIG, push(registry, repository, config, token), config.length));
        manifest.put("layers", List.of(Images.descriptor(Images.OCI_LAYER, push(registry, repository, layer, token), layer.length)));
        byte[] bytes = Images.json(manifest);
        HttpResponse<byte[]> put = registry.send("PUT", "/v2/" + repository + "/manifests/1", bytes, "Content-Type", MediaTypes.OCI_MANIFEST,
                "Authorization", "Bearer " + token);
        assertThat(put.statusCode()).isEqualTo(201);
        return bytes;
    }

    /** The manifest by tag and by digest and the layer come through the cache byte for byte. */
    private static void assertPulled(String repository, byte[] manifest, byte[] layer) throws Exception {
        HttpResponse<byte[]> byTag = cache.get("/v2/" + repository + "/manifests/1");
        assertThat(byTag.statusCode()).as(new String(byTag.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(manifest);
        HttpResponse<byte[]> byDigest = cache.get("/v2/" + repository + "/manifests/" + Digest.sha256(manifest));
        assertThat(byDigest.statusCode()).isEqualTo(200);
        assertThat(byDigest.body()).isEqualTo(manifest);
        HttpResponse<byte[]> blob = cache.get("/v2/" + repository + "/blobs/" + Digest.sha256(layer));
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(layer);
        HttpResponse<byte[]> again = cache.get("/v2/" + repository + "/manifests/1");
        assertThat(again.statusCode()).as("the tag checked upstream with the cached credentials").isEqualTo(200);
        assertThat(again.body()).isEqualTo(manifest);
    }

    private static String token(String repository, String actions) throws Exception {
        String basicAuth = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> issued = tokens.get("/auth/token?service=berth&scope=repository:" + repository + ":" + actions,
                "Authorization", basicAuth);
        assertThat(issued.statusCode()).isEqualTo(200);
        return JSON.readTree(issued.body()).path("token").asText();
    }

    private static Digest push(TestRegistry registry, String repository, byte[] content, String token) throws Exception {
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> response = registry.send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream", "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).isEqualTo(201);
        return digest;
    }
}
