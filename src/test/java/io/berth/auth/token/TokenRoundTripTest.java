package io.berth.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.crypto.Pem;
import io.berth.testing.MutableClock;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.Issued;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tokens Berth issues, and tokens other servers sign as Distribution's token spec has them, verify with their claims intact. */
class TokenRoundTripTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration LEEWAY = Duration.ofSeconds(60);
    private static final List<ResourceActions> PULL_PUSH =
            List.of(new ResourceActions("repository", "library/alpine", List.of("pull", "push")));

    @TempDir
    static Path dir;

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("RSA", "RS256"), Arguments.of("secp256r1", "ES256"), Arguments.of("secp384r1", "ES384"),
                Arguments.of("secp521r1", "ES512"), Arguments.of("Ed25519", "EdDSA"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void anIssuedTokenVerifiesUnderItsKidWithEveryClaim(String keyType, String algorithm) throws Exception {
        SigningKey key = SigningKey.fromPem(Forge.pkcs8Pem(Forge.keyPair(keyType).getPrivate()));
        String token = new TokenIssuer(key, "berth", CLOCK, Duration.ofMinutes(5)).issue("alice", "registry.test", PULL_PUSH);

        Claims claims = verifier(TrustedKeys.none().with(key.publicKey()), null).verify(token);

        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertThat(claims).isEqualTo(new Claims("berth", "alice", List.of("registry.test"), NOW.plusSeconds(300), NOW, NOW,
                claims.id(), PULL_PUSH));
        assertThat(claims.id()).hasSizeGreaterThanOrEqualTo(16);
        JsonNode header = Forge.JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        assertThat(Forge.JSON.convertValue(header, Map.class))
                .isEqualTo(Map.of("typ", "JWT", "alg", algorithm, "kid", key.keyId()));
        assertThat(key.keyId()).isEqualTo(LibtrustKeyId.of(key.publicKey()));
    }

    @Test
    void anAnonymousTokenHasAnEmptySubjectAndNoAccess() throws Exception {
        SigningKey key = SigningKey.generate();
        String token = new TokenIssuer(key, "berth", CLOCK, Duration.ofMinutes(5)).issue(null, "registry.test", List.of());

        Claims claims = verifier(TrustedKeys.none().with(key.publicKey()), null).verify(token);

        assertThat(claims.subject()).isEmpty();
        assertThat(claims.access()).isEmpty();
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(Forge.JSON.readTree(payload).get("sub").asText()).isEmpty();
    }

    @Test
    void tokensOfTheIssuersLifetimeExpireAfterItPlusTheLeeway() throws Exception {
        SigningKey key = SigningKey.generate();
        TokenIssuer issuer = new TokenIssuer(key, "berth", CLOCK, Duration.ofMinutes(5));
        String token = issuer.issue("alice", "registry.test", PULL_PUSH);
        TrustedKeys trusted = TrustedKeys.none().with(key.publicKey());

        assertThat(issuer.expiration()).isEqualTo(Duration.ofMinutes(5));
        Clock justInLeeway = Clock.fixed(NOW.plusSeconds(300 + 60), ZoneOffset.UTC);
        assertThat(new TokenVerifier(trusted, "berth", "registry.test", null, justInLeeway, LEEWAY).verify(token).subject())
                .isEqualTo("alice");
        Clock pastLeeway = Clock.fixed(NOW.plusSeconds(300 + 61), ZoneOffset.UTC);
        assertThatThrownBy(() -> new TokenVerifier(trusted, "berth", "registry.test", null, pastLeeway, LEEWAY).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessage("token expired");
    }

    static Stream<Arguments> authorities() {
        return Stream.of(Arguments.of("EC", "ES256", "SHA256withECDSAinP1363Format"), Arguments.of("RSA", "RS256", "SHA256withRSA"));
    }

    @Test
    void aTokenVerifiedBeforeStillExpires() throws Exception {
        SigningKey key = SigningKey.generate();
        MutableClock clock = new MutableClock(NOW);
        String token = new TokenIssuer(key, "berth", clock, Duration.ofMinutes(5)).issue("alice", "registry.test", PULL_PUSH);
        TokenVerifier verifier = new TokenVerifier(TrustedKeys.none().with(key.publicKey()), "berth", "registry.test", null, clock,
                LEEWAY);
        assertThat(verifier.verify(token).subject()).isEqualTo("alice");
        assertThat(verifier.verify(token).subject()).isEqualTo("alice");

        clock.advance(Duration.ofSeconds(300 + 61));

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(InvalidTokenException.class).hasMessage("token expired");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authorities")
    void aTokenWithAnX5cChainToTheRootBundleVerifiesWithOrWithoutTheRootInIt(String keyType, String alg, String jdkSignature)
            throws Exception {
        TestCertificates ca = TestCertificates.authority(dir.resolve("x5c-" + keyType), keyType, "token CA");
        Issued leaf = ca.client("token-signer");
        String leafDer = Base64.getEncoder().encodeToString(leaf.certificate().getEncoded());
        String rootDer = Base64.getEncoder().encodeToString(root(ca).getEncoded());
        TokenVerifier verifier = verifier(TrustedKeys.load(ca.caFile(), null), null);

        for (List<String> x5c : List.of(List.of(leafDer), List.of(leafDer, rootDer))) {
            String token = Forge.token(Forge.with(Forge.header(alg, null), "x5c", x5c),
                    Forge.claims("berth", "registry.test", NOW), leaf.keys().getPrivate(), jdkSignature);

            Claims claims = verifier.verify(token);

            assertThat(claims.subject()).isEqualTo("alice");
            assertThat(claims.access()).containsExactly(new ResourceActions("repository", "library/alpine", List.of("pull")));
        }
    }

    @Test
    void aRootCertificatesKeyIsTrustedUnderItsLibtrustIdAndItsJwkThumbprint() throws Exception {
        // As with docker_auth: the bundle holds the token server's own certificate, whose key signs.
        Issued signer = TestCertificates.authority(dir.resolve("kid"), "RSA", "token CA").client("token-server");
        Path bundle = dir.resolve("kid/bundle.pem");
        Files.write(bundle, Pem.encode("CERTIFICATE", signer.certificate().getEncoded()));
        KeyPair keys = signer.keys();
        TokenVerifier verifier = verifier(TrustedKeys.load(bundle, null), null);
        // RFC 7638 by hand: the required members in lexicographic order, no spaces, then SHA-256.
        RSAPublicKey rsa = (RSAPublicKey) keys.getPublic();
        String members = "{\"e\":\"" + Forge.b64(Forge.unsigned(rsa.getPublicExponent())) + "\",\"kty\":\"RSA\",\"n\":\""
                + Forge.b64(Forge.unsigned(rsa.getModulus())) + "\"}";
        String thumbprint = Forge.b64(MessageDigest.getInstance("SHA-256").digest(members.getBytes(StandardCharsets.UTF_8)));

        for (String kid : List.of(LibtrustKeyId.of(keys.getPublic()), thumbprint)) {
            String token = Forge.token(Forge.header("RS256", kid), Forge.claims("berth", "registry.test", NOW),
                    keys.getPrivate(), "SHA256withRSA");
            assertThat(verifier.verify(token).subject()).as(kid).isEqualTo("alice");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void aJwksKeyVerifiesTokensThatNameItsKid(String keyType, String alg) throws Exception {
        KeyPair keys = Forge.keyPair(keyType);
        Path jwks = Forge.jwks(dir, "jwks-" + keyType + ".json", Forge.jwk(keys.getPublic(), "key-" + keyType));
        String jdkSignature = switch (alg) {
            case "RS256" -> "SHA256withRSA";
            case "EdDSA" -> "Ed25519";
            default -> "SHA" + alg.substring(2) + "withECDSAinP1363Format";
        };
        String token = Forge.token(Forge.header(alg, "key-" + keyType), Forge.claims("berth", "registry.test", NOW),
                keys.getPrivate(), jdkSignature);

        assertThat(verifier(TrustedKeys.load(null, jwks), null).verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void anAudienceListFractionalTimesAndNullActionsAreReadAsGoTokenServersWriteThem() throws Exception {
        KeyPair keys = Forge.keyPair("secp256r1");
        Map<String, Object> claims = Forge.claims("berth", "registry.test", NOW);
        claims = Forge.with(claims, "aud", List.of("other", "registry.test"));
        claims = Forge.with(claims, "exp", NOW.getEpochSecond() + 300.75);
        claims = Forge.with(claims, "access", List.of(Collections.singletonMap("name", null)));
        String json = Forge.json(claims).replace("{\"name\":null}",
                "{\"type\":\"repository\",\"name\":\"library/alpine\",\"actions\":null}");
        String token = Forge.token(Forge.header("ES256", LibtrustKeyId.of(keys.getPublic())), json, keys.getPrivate(),
                "SHA256withECDSAinP1363Format");

        Claims verified = verifier(TrustedKeys.none().with(keys.getPublic()), null).verify(token);

        assertThat(verified.audience()).containsExactly("other", "registry.test");
        assertThat(verified.expiry()).isEqualTo(NOW.plusSeconds(300));
        assertThat(verified.access()).containsExactly(new ResourceActions("repository", "library/alpine", List.of()));
    }

    @Test
    void onlyTheConfiguredAlgorithmsAreAccepted() throws Exception {
        SigningKey key = SigningKey.generate();
        String token = new TokenIssuer(key, "berth", CLOCK, Duration.ofMinutes(5)).issue("alice", "registry.test", PULL_PUSH);
        TrustedKeys trusted = TrustedKeys.none().with(key.publicKey());

        assertThat(verifier(trusted, Set.of("ES256")).verify(token).subject()).isEqualTo("alice");
        assertThatThrownBy(() -> verifier(trusted, Set.of("RS256", "EdDSA")).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessage("algorithm ES256 is not accepted");
        assertThatThrownBy(() -> verifier(trusted, Set.of("RS256", "HS256")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported token signing algorithm \"HS256\"");
    }

    private static TokenVerifier verifier(TrustedKeys keys, Set<String> algorithms) {
        return new TokenVerifier(keys, "berth", "registry.test", algorithms, CLOCK, LEEWAY);
    }

    private static X509Certificate root(TestCertificates ca) throws Exception {
        try (InputStream in = Files.newInputStream(ca.caFile())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
