package io.berth.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.crypto.Pem;
import io.berth.testing.MutableClock;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.Issued;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forged, tampered, stale and malformed tokens are refused with an {@link InvalidTokenException}
 * that says why, and never with any other exception.
 */
class TokenAttackTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String P1363 = "SHA256withECDSAinP1363Format";

    @TempDir
    static Path dir;

    /** The trusted token server: its certificate is the root bundle, its key signs under its libtrust kid. */
    private static Issued server;
    private static String serverKid;
    private static TrustedKeys trusted;
    private static TokenVerifier verifier;

    @BeforeAll
    static void trustOneTokenServer() throws Exception {
        server = TestCertificates.authority(dir.resolve("trusted"), "EC", "trusted CA").client("token-server");
        Path bundle = dir.resolve("bundle.pem");
        Files.write(bundle, Pem.encode("CERTIFICATE", server.certificate().getEncoded()));
        serverKid = LibtrustKeyId.of(server.keys().getPublic());
        trusted = TrustedKeys.load(bundle, null);
        verifier = new TokenVerifier(trusted, "berth", "registry.test", null, CLOCK, Duration.ofSeconds(60));
    }

    private static String signed(Map<String, Object> header, Object claims) throws Exception {
        return Forge.token(header, claims, server.keys().getPrivate(), P1363);
    }

    private static Map<String, Object> claims() {
        return Forge.claims("berth", "registry.test", NOW);
    }

    private static AbstractThrowableAssert<?, ?> refused(String token) {
        return assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aTokenOfTheTrustedServerVerifies() throws Exception {
        assertThat(verifier.verify(signed(Forge.header("ES256", serverKid), claims())).subject()).isEqualTo("alice");
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "exp", NOW.getEpochSecond() - 61)))
                .hasMessage("token expired");
    }

    @Test
    void aTokenWithoutExpiryIsRefused() throws Exception {
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "exp", null))).hasMessage("token has no expiry");
    }

    @Test
    void aTokenNotValidYetIsRefused() throws Exception {
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "nbf", NOW.getEpochSecond() + 61)))
                .hasMessage("token is not valid yet");
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() throws Exception {
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "iss", "elsewhere")))
                .hasMessage("token issuer is not trusted");
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "iss", null)))
                .hasMessage("token issuer is not trusted");
    }

    @Test
    void aTokenForAnotherServiceIsRefused() throws Exception {
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "aud", "other-registry")))
                .hasMessage("token audience does not include the service");
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "aud", List.of("a", "b"))))
                .hasMessage("token audience does not include the service");
    }

    @Test
    void algorithmNoneIsRefused() {
        String unsigned = Forge.b64(Forge.json(Forge.header("none", serverKid))) + "." + Forge.b64(Forge.json(claims())) + ".";
        refused(unsigned).hasMessage("algorithm none is not accepted");
        refused(unsigned.replace(Forge.b64(Forge.json(Forge.header("none", serverKid))), Forge.b64(Forge.json(Forge.header("NoNe", null)))))
                .hasMessage("algorithm none is not accepted");
    }

    @Test
    void anHmacKeyedWithTheTrustedCertificateIsRefused() throws Exception {
        // The classic confusion: the verifier's public certificate, known to all, used as an HMAC secret.
        byte[] pem = Pem.encode("CERTIFICATE", server.certificate().getEncoded());
        String input = Forge.b64(Forge.json(Forge.header("HS256", serverKid))) + "." + Forge.b64(Forge.json(claims()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(pem, "HmacSHA256"));
        String token = input + "." + Forge.b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));

        refused(token).hasMessage("algorithm HS256 is not accepted");
    }

    @Test
    void aTokenSignedByAnotherKeyUnderTheTrustedKidIsRefused() throws Exception {
        PrivateKey attacker = Forge.keyPair("secp256r1").getPrivate();
        refused(Forge.token(Forge.header("ES256", serverKid), claims(), attacker, P1363)).hasMessage("signature does not verify");
    }

    @Test
    void anEmbeddedJwkIsNeverTrustedForItself() throws Exception {
        KeyPair attacker = Forge.keyPair("secp256r1");
        Map<String, Object> noKid = Forge.with(Forge.header("ES256", null), "jwk", Forge.jwk(attacker.getPublic(), "attacker"));
        refused(Forge.token(noKid, claims(), attacker.getPrivate(), P1363)).hasMessage("unknown signing key");
        Map<String, Object> trustedKid = Forge.with(noKid, "jwk", Forge.jwk(attacker.getPublic(), serverKid));
        refused(Forge.token(trustedKid, claims(), attacker.getPrivate(), P1363)).hasMessage("signature does not verify");
    }

    @Test
    void anUnknownOrMissingKidIsRefused() throws Exception {
        refused(signed(Forge.header("ES256", "ABCD:EFGH"), claims())).hasMessage("unknown signing key");
        refused(signed(Forge.header("ES256", null), claims())).hasMessage("token names no signing key (no kid or x5c)");
    }

    @Test
    void anX5cChainToAnUntrustedRootIsRefusedEvenUnderATrustedKid() throws Exception {
        TestCertificates other = TestCertificates.authority(dir.resolve("untrusted"), "EC", "untrusted CA");
        Issued leaf = other.client("impostor");
        String leafDer = Base64.getEncoder().encodeToString(leaf.certificate().getEncoded());
        Map<String, Object> header = Forge.with(Forge.header("ES256", serverKid), "x5c", List.of(leafDer));

        refused(Forge.token(header, claims(), leaf.keys().getPrivate(), P1363))
                .hasMessage("certificate chain does not lead to a trusted root");
    }

    @Test
    void anX5cLeafOfTheTrustedCertificateWithAnotherKeysSignatureIsRefused() throws Exception {
        String serverDer = Base64.getEncoder().encodeToString(server.certificate().getEncoded());
        Map<String, Object> header = Forge.with(Forge.header("ES256", null), "x5c", List.of(serverDer));
        assertThat(verifier.verify(signed(header, claims())).subject()).isEqualTo("alice");

        refused(Forge.token(header, claims(), Forge.keyPair("secp256r1").getPrivate(), P1363)).hasMessage("signature does not verify");
    }

    @Test
    void anX5cChainOutsideItsCertificatesValidityIsRefused() throws Exception {
        Instant later = NOW.plus(Duration.ofDays(3));
        TokenVerifier inThreeDays = new TokenVerifier(trusted, "berth", "registry.test", null,
                Clock.fixed(later, ZoneOffset.UTC), Duration.ofSeconds(60));
        String serverDer = Base64.getEncoder().encodeToString(server.certificate().getEncoded());
        String token = signed(Forge.with(Forge.header("ES256", null), "x5c", List.of(serverDer)),
                Forge.claims("berth", "registry.test", later));

        assertThatThrownBy(() -> inThreeDays.verify(token)).isInstanceOf(InvalidTokenException.class)
                .hasMessage("a certificate of the chain is expired or not valid yet");
    }

    @Test
    void aTokenVerifiedBeforeIsRefusedOnceItsX5cCertificateExpires() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        TokenVerifier cachingVerifier = new TokenVerifier(trusted, "berth", "registry.test", null, clock, Duration.ofSeconds(60));
        String serverDer = Base64.getEncoder().encodeToString(server.certificate().getEncoded());
        // The token outlives the certificate (valid for a day), as a careless token server may sign it.
        String token = signed(Forge.with(Forge.header("ES256", null), "x5c", List.of(serverDer)),
                Forge.with(claims(), "exp", NOW.plus(Duration.ofDays(5)).getEpochSecond()));
        assertThat(cachingVerifier.verify(token).subject()).isEqualTo("alice");

        clock.advance(Duration.ofDays(2));

        assertThatThrownBy(() -> cachingVerifier.verify(token)).isInstanceOf(InvalidTokenException.class)
                .hasMessage("a certificate of the chain is expired or not valid yet");
    }

    @Test
    void anX5cThatIsNotACertificateIsRefused() throws Exception {
        refused(signed(Forge.with(Forge.header("ES256", null), "x5c", List.of("bm90IGEgY2VydA==")), claims()))
                .hasMessage("malformed token: x5c holds something that is not a certificate");
        refused(signed(Forge.with(Forge.header("ES256", null), "x5c", "MIIB"), claims()))
                .hasMessage("malformed token: x5c must be an array of 1 to 8 certificates");
    }

    @Test
    void aTamperedClaimIsRefused() throws Exception {
        String token = signed(Forge.header("ES256", serverKid), claims());
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + Forge.b64(Forge.json(Forge.with(claims(), "sub", "admin"))) + "." + parts[2];

        refused(tampered).hasMessage("signature does not verify");
    }

    @Test
    void aKeyOfTheWrongTypeForTheAlgorithmIsRefused() throws Exception {
        refused(signed(Forge.header("RS256", serverKid), claims())).hasMessage("the signing key is not a key for RS256");
        refused(signed(Forge.header("ES384", serverKid), claims())).hasMessage("the signing key is not a key for ES384");
        refused(signed(Forge.header("EdDSA", serverKid), claims())).hasMessage("the signing key is not a key for EdDSA");
    }

    @Test
    void criticalHeaderParametersAreRefused() throws Exception {
        refused(signed(Forge.with(Forge.header("ES256", serverKid), "crit", List.of("exp")), claims()))
                .hasMessage("critical header parameters are not supported");
    }

    @Test
    void duplicateClaimsAreRefusedRatherThanReadEitherWay() throws Exception {
        String duplicated = Forge.json(claims()).replace("{\"iss\":\"berth\"", "{\"iss\":\"elsewhere\",\"iss\":\"berth\"");
        refused(signed(Forge.header("ES256", serverKid), duplicated)).hasMessage("malformed token: claims is not valid JSON");
    }

    @Test
    void claimsOfTheWrongTypeAreRefused() throws Exception {
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "exp", "tomorrow")))
                .hasMessage("malformed token: claim exp is not a time in seconds");
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "exp", 1e300)))
                .hasMessage("malformed token: claim exp is not a time in seconds");
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "sub", 7)))
                .hasMessage("malformed token: claim sub is not a string");
        refused(signed(Forge.header("ES256", serverKid), Forge.with(claims(), "access", List.of(Map.of("type", "repository")))))
                .hasMessage("malformed token: claim access must be an array of {type, name, actions}");
        refused(signed(Forge.header("ES256", serverKid), "[1, 2]")).hasMessage("malformed token: claims is not a JSON object");
    }

    @Test
    void truncatedGarbageAndOversizedTokensAreRefused() throws Exception {
        String token = signed(Forge.header("ES256", serverKid), claims());
        refused(token.substring(0, token.lastIndexOf('.'))).hasMessage("malformed token: not three dot-separated parts");
        refused(token.substring(0, token.lastIndexOf('.') + 1)).hasMessage("signature does not verify");
        refused(token + ".e30").hasMessage("malformed token: not three dot-separated parts");
        refused("").hasMessage("no token");
        refused("a.b.c").hasMessage("malformed token: header is not base64url");
        refused("e30.e30.e30").hasMessage("token header has no algorithm");
        refused(Forge.b64("{\"alg\":") + ".e30.e30").hasMessage("malformed token: header is not valid JSON");
        refused(Forge.b64("{} trailing") + ".e30.e30").hasMessage("malformed token: header is not valid JSON");
        refused(Forge.b64(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}) + ".e30.e30")
                .hasMessage("malformed token: header is not UTF-8");
        refused(token.replace(".", "=.")).hasMessage("malformed token: header is padded base64");
        refused("x".repeat(Jws.MAX_LENGTH + 1)).hasMessage("token is too long");
        String deep = "{\"alg\":\"ES256\",\"x\":" + "[".repeat(500) + "]".repeat(500) + "}";
        refused(Forge.b64(deep) + ".e30.e30").hasMessage("malformed token: header is not valid JSON");
        refused(Forge.b64("{\"alg\":\"" + "A".repeat(40) + "\"}") + ".e30.e30").hasMessage("algorithm of the token is not accepted");
    }

    @Test
    void randomlyMutatedTokensAreRefusedWithInvalidTokenExceptionOnly() throws Exception {
        String token = signed(Forge.header("ES256", serverKid), claims());
        byte[] bytes = token.getBytes(StandardCharsets.US_ASCII);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}";
        Random random = new Random(12);
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = bytes.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String candidate = new String(mutated, StandardCharsets.US_ASCII);
            if (candidate.equals(token)) {
                continue;
            }
            try {
                Claims claims = verifier.verify(candidate);
                // Base64 may decode a changed last character to the same bytes; nothing else may pass.
                assertThat(claims).isEqualTo(verifier.verify(token));
            } catch (InvalidTokenException refused) {
                assertThat(refused.getMessage()).isNotBlank().doesNotContain("Exception");
            }
        }
    }
}
