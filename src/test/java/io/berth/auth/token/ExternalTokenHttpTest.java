package io.berth.auth.token;

import static io.berth.auth.token.TestTokenServer.access;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.auth.token.TestTokenServer.Signer;
import io.berth.crypto.Pem;
import io.berth.registry.Digest;
import io.berth.testing.Images;
import io.berth.testing.RawHttp;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.Issued;
import io.berth.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.token} through real HTTP: Berth trusts a token server started by the test (its
 * certificate bundle and a JWKS file), takes its tokens by kid, x5c chain and JWKS kid, and answers
 * every forged, stale, foreign or too narrow token with 401, the JSON envelope and the challenge
 * Distribution sends.
 */
class ExternalTokenHttpTest {

    private static final String SERVICE = "registry.test";
    private static final String ISSUER = "test-token-server";
    private static final String REPO = "team/app";
    private static final byte[] LAYER = "a layer pushed under a token".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static TestTokenServer tokens;
    static TestRegistry registry;
    static Digest layer;

    @BeforeAll
    static void start() throws Exception {
        tokens = TestTokenServer.start(dir.resolve("issuer"), SERVICE, ISSUER, Map.of("alice", "wonderland"));
        // Tokens and certificates carry the real time: the registry's clock starts there too.
        registry = TestRegistry.builder(dir.resolve("root")).clock(Clock.systemUTC())
                .env("REGISTRY_AUTH_TOKEN_REALM", tokens.realm())
                .env("REGISTRY_AUTH_TOKEN_SERVICE", SERVICE)
                .env("REGISTRY_AUTH_TOKEN_ISSUER", ISSUER)
                .env("REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE", tokens.bundle().toString())
                .env("REGISTRY_AUTH_TOKEN_JWKS", tokens.jwks().toString())
                .start();
        layer = Digest.sha256(LAYER);
        HttpResponse<byte[]> pushed = send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + layer, LAYER,
                token(Signer.KID, access("repository", REPO, "pull", "push")));
        assertThat(pushed.statusCode()).as(body(pushed)).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @Test
    void aPullWithoutATokenGetsTheChallengeDistributionSends() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/v2/" + REPO + "/manifests/latest", null, null);
        assertRefused(response, "Bearer realm=\"" + tokens.realm() + "\",service=\"" + SERVICE + "\",scope=\"repository:team/app:pull\"");
    }

    @Test
    void aPushWithoutATokenIsAskedForPullAndPush() throws Exception {
        HttpResponse<byte[]> response = send("POST", "/v2/" + REPO + "/blobs/uploads/", null, null);
        assertRefused(response, "Bearer realm=\"" + tokens.realm() + "\",service=\"" + SERVICE + "\",scope=\"repository:team/app:pull,push\"");
    }

    @Test
    void theBaseWithoutATokenIsChallengedWithoutAScope() throws Exception {
        assertRefused(send("GET", "/v2/", null, null), "Bearer realm=\"" + tokens.realm() + "\",service=\"" + SERVICE + "\"");
    }

    @Test
    void theBaseOpensToAnyValidTokenEvenOneGrantingNothing() throws Exception {
        for (Signer signer : Signer.values()) {
            HttpResponse<byte[]> response = send("GET", "/v2/", null, tokens.token(signer, tokens.claims("alice", List.of())));
            assertThat(response.statusCode()).as("%s: %s", signer, body(response)).isEqualTo(200);
        }
    }

    @Test
    void tokensByLibtrustKidByX5cChainAndByJwksKidAllPull() throws Exception {
        for (Signer signer : Signer.values()) {
            HttpResponse<byte[]> response = send("GET", "/v2/" + REPO + "/blobs/" + layer, null,
                    token(signer, access("repository", REPO, "pull")));
            assertThat(response.statusCode()).as("%s: %s", signer, body(response)).isEqualTo(200);
            assertThat(response.body()).isEqualTo(LAYER);
        }
    }

    @Test
    void aClientFollowingTheChallengeGetsATokenFromTheRealmAndPulls() throws Exception {
        HttpResponse<byte[]> challenged = send("GET", "/v2/" + REPO + "/blobs/" + layer, null, null);
        assertThat(challenged.statusCode()).isEqualTo(401);
        HttpResponse<String> issued = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(tokens.realm() + "?service=" + SERVICE + "&scope=repository:" + REPO + ":pull"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("alice:wonderland".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        String token = Forge.JSON.readTree(issued.body()).path("token").asText();

        HttpResponse<byte[]> pulled = send("GET", "/v2/" + REPO + "/blobs/" + layer, null, token);
        assertThat(pulled.statusCode()).as(body(pulled)).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(LAYER);
    }

    @Test
    void anExpiredTokenIsRefusedAsInvalid() throws Exception {
        long hourAgo = Instant.now().getEpochSecond() - 3600;
        Map<String, Object> claims = Forge.with(Forge.with(Forge.with(pullClaims(), "exp", hourAgo + 300), "nbf", hourAgo), "iat", hourAgo);
        assertInvalid(tokens.token(Signer.KID, claims), "token expired");
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedAsInvalid() throws Exception {
        assertInvalid(tokens.token(Signer.KID, Forge.with(pullClaims(), "aud", "another.registry")), "audience");
    }

    @Test
    void aTokenOfAnotherIssuerIsRefusedAsInvalid() throws Exception {
        assertInvalid(tokens.token(Signer.KID, Forge.with(pullClaims(), "iss", "someone-else")), "issuer");
    }

    @Test
    void anUnsignedTokenWithAlgNoneIsRefusedAsInvalid() throws Exception {
        Map<String, Object> header = Forge.with(tokens.header(Signer.KID), "alg", "none");
        assertInvalid(Forge.b64(Forge.json(header)) + "." + Forge.b64(Forge.json(pullClaims())) + ".", "algorithm none");
    }

    @Test
    void anHs256TokenKeyedWithThePublicCertificateIsRefusedAsInvalid() throws Exception {
        Map<String, Object> header = Forge.with(tokens.header(Signer.KID), "alg", "HS256");
        String input = Forge.b64(Forge.json(header)) + "." + Forge.b64(Forge.json(pullClaims()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(tokens.bundle()), "HmacSHA256"));
        assertInvalid(input + "." + Forge.b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII))), "algorithm HS256");
    }

    @Test
    void aTokenSignedByAnUntrustedKeyUnderATrustedKidIsRefusedAsInvalid() throws Exception {
        String forged = TestTokenServer.sign(tokens.header(Signer.KID), pullClaims(), Forge.keyPair("secp256r1").getPrivate());
        assertInvalid(forged, "signature does not verify");
    }

    @Test
    void aTokenWithAnUntrustedX5cChainIsRefusedAsInvalid() throws Exception {
        TestCertificates stranger = TestCertificates.authority(dir.resolve("stranger"), "EC", "stranger CA");
        Issued leaf = stranger.client("stranger-signer");
        List<String> chain = Pem.certificates(leaf.certificateFile()).stream().map(TestTokenServer::der).toList();
        assertThat(chain).hasSize(2);
        Map<String, Object> header = Forge.with(Forge.header("ES256", null), "x5c", chain);
        assertInvalid(TestTokenServer.sign(header, pullClaims(), leaf.keys().getPrivate()), "trusted root");
    }

    @Test
    void aTokenForOneRepositoryDoesNotOpenAnother() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/v2/team/other/blobs/" + layer, null, token(Signer.KID, access("repository", REPO, "pull")));
        assertRefused(response, challenge("repository:team/other:pull", "insufficient_scope"));
    }

    @Test
    void aPullOnlyTokenCannotStartAnUploadNorPutAManifest() throws Exception {
        String pullOnly = token(Signer.X5C, access("repository", REPO, "pull"));
        assertRefused(send("POST", "/v2/" + REPO + "/blobs/uploads/", null, pullOnly),
                challenge("repository:team/app:pull,push", "insufficient_scope"));
        assertRefused(send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + layer, LAYER, pullOnly),
                challenge("repository:team/app:pull,push", "insufficient_scope"));
        HttpResponse<byte[]> put = registry.send("PUT", "/v2/" + REPO + "/manifests/v1", manifest(),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Authorization", "Bearer " + pullOnly);
        assertRefused(put, challenge("repository:team/app:pull,push", "insufficient_scope"));
    }

    @Test
    void aMountNeedsPushOnTheTargetAndPullOnTheSource() throws Exception {
        String mount = "/v2/team/target/blobs/uploads/?mount=" + layer + "&from=" + REPO;
        String scope = "repository:team/target:pull,push repository:team/app:pull";
        String noPushOnTarget = token(Signer.JWKS, access("repository", "team/target", "pull"), access("repository", REPO, "pull"));
        assertRefused(send("POST", mount, null, noPushOnTarget), challenge(scope, "insufficient_scope"));
        String noPullOnSource = token(Signer.JWKS, access("repository", "team/target", "pull", "push"));
        assertRefused(send("POST", mount, null, noPullOnSource), challenge(scope, "insufficient_scope"));

        String both = token(Signer.JWKS, access("repository", "team/target", "pull", "push"), access("repository", REPO, "pull"));
        HttpResponse<byte[]> mounted = send("POST", mount, null, both);
        assertThat(mounted.statusCode()).as(body(mounted)).isEqualTo(201);
    }

    @Test
    void theCatalogNeedsTheRegistryCatalogScope() throws Exception {
        // A repository is listed once it holds a manifest.
        HttpResponse<byte[]> put = registry.send("PUT", "/v2/" + REPO + "/manifests/listed", manifest(),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json",
                "Authorization", "Bearer " + token(Signer.KID, access("repository", REPO, "pull", "push")));
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        HttpResponse<byte[]> refused = send("GET", "/v2/_catalog", null, token(Signer.KID, access("repository", REPO, "pull")));
        assertRefused(refused, challenge("registry:catalog:*", "insufficient_scope"));
        HttpResponse<byte[]> listed = send("GET", "/v2/_catalog", null, token(Signer.KID, access("registry", "catalog", "*")));
        assertThat(listed.statusCode()).as(body(listed)).isEqualTo(200);
        assertThat(Forge.JSON.readTree(listed.body()).path("repositories").toString()).contains(REPO);
    }

    @Test
    void garbageInAuthorizationIsRefusedWithAChallengeNeverAServerError() throws Exception {
        String valid = token(Signer.KID, access("repository", REPO, "pull"));
        List<String> garbage = List.of("Bearer", "Bearer ", "Bearer .", "Bearer ..", "Bearer a.b.c",
                "Bearer " + valid.substring(0, valid.lastIndexOf('.')), "Bearer " + valid + "x", "Bearer " + valid + ".x",
                "Bearer " + "e".repeat(6_000), "Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA", "Bearer eyJ9.eyJ9.eyJ9",
                "Bearer " + Forge.b64("[]") + "." + Forge.b64("[]") + ".AA", "Bearer " + Forge.b64("{\"alg\":7}") + ".e30.AA",
                "Basic " + Base64.getEncoder().encodeToString("alice:wonderland".getBytes(StandardCharsets.UTF_8)),
                "Basic !!!", "Digest username=\"alice\"", "bearer" + valid, "Bearer\t" + valid.replace('.', '\t'));
        for (String authorization : garbage) {
            HttpResponse<byte[]> response = registry.send("GET", "/v2/" + REPO + "/blobs/" + layer, null, "Authorization", authorization);
            assertThat(response.statusCode()).as("%.60s: %s", authorization, body(response)).isEqualTo(401);
            assertThat(TestRegistry.errorCode(response)).isEqualTo("UNAUTHORIZED");
            assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString()
                    .startsWith("Bearer realm=\"" + tokens.realm() + "\"").contains("scope=\"repository:team/app:pull\"");
        }
        HttpResponse<byte[]> huge = registry.send("GET", "/v2/" + REPO + "/blobs/" + layer, null, "Authorization", "Bearer " + "e".repeat(40_000));
        assertThat(huge.statusCode()).as(body(huge)).isEqualTo(431);
        assertThat(TestRegistry.errorCode(huge)).isEqualTo("BAD_REQUEST");
        // Bytes no HTTP client library sends: Latin-1 and control characters in the header value.
        for (String raw : List.of("Authorization: Bearer \u00e9\u00ff.\u0001.\u007f", "Authorization: Bearer " + valid + " " + valid)) {
            RawHttp.Response response = RawHttp.request(registry.port(), "GET", "/v2/" + REPO + "/blobs/" + layer, raw);
            assertThat(response.status()).as(response.head()).isIn(400, 401);
            assertThat(response.body()).contains("\"errors\"");
        }
    }

    /** A token of {@code signer} for alice granting {@code access}. */
    @SafeVarargs
    private static String token(Signer signer, Map<String, Object>... access) throws Exception {
        return tokens.token(signer, tokens.claims("alice", List.of(access)));
    }

    /** An OCI image manifest whose config is the pushed layer. */
    private static byte[] manifest() {
        return Images.json(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Images.descriptor(Images.OCI_CONFIG, layer, LAYER.length), "layers", List.of()));
    }

    private static Map<String, Object> pullClaims() {
        return tokens.claims("alice", List.of(access("repository", REPO, "pull")));
    }

    private static HttpResponse<byte[]> send(String method, String path, byte[] body, String token) throws Exception {
        return token == null ? registry.send(method, path, body) : registry.send(method, path, body, "Authorization", "Bearer " + token);
    }

    private static String challenge(String scope, String error) {
        return "Bearer realm=\"" + tokens.realm() + "\",service=\"" + SERVICE + "\",scope=\"" + scope + "\",error=\"" + error + "\"";
    }

    /** A pull of the pushed layer with {@code token} is 401 invalid_token, for the reason {@code why} names. */
    private static void assertInvalid(String token, String why) throws Exception {
        HttpResponse<byte[]> response = send("GET", "/v2/" + REPO + "/blobs/" + layer, null, token);
        assertRefused(response, challenge("repository:team/app:pull", "invalid_token"));
        assertThat(Forge.JSON.readTree(response.body()).path("errors").path(0).path("message").asText()).contains(why);
    }

    private static void assertRefused(HttpResponse<byte[]> response, String challenge) throws Exception {
        assertThat(response.statusCode()).as(body(response)).isEqualTo(401);
        JsonNode error = Forge.JSON.readTree(response.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(error.path("message").asText()).isNotEmpty();
        assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(challenge);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
