package io.berth.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.crypto.Pem;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.Issued;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Root bundles and JWKS files load into trusted keys, or fail with a message naming the file and the fault. */
class TrustedKeysTest {

    /** The RSA key of RFC 7638, section 3.1, whose thumbprint the RFC gives. */
    private static final String RFC7638_N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
            + "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqz"
            + "s8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF"
            + "44-csFCur-kEgU8awapJzKnqDKgw";

    @TempDir
    Path dir;

    @Test
    void libtrustKeyIdAndThumbprintOfAPublishedKeyAreTheKnownValues() throws Exception {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, Base64.getUrlDecoder().decode(RFC7638_N)), BigInteger.valueOf(65537)));
        // Derived without Berth or the JDK: the SubjectPublicKeyInfo written by `openssl asn1parse -genconf`
        // from n and e, then `openssl dgst -sha256 -binary spki.der | head -c 30 | base32 | fold -w4 | paste -sd:`.
        assertThat(LibtrustKeyId.of(key)).isEqualTo("VUZD:EDHW:YWLN:RBFQ:KOA3:UVZ2:XKG5:2V2J:WTPI:6SRD:U6PZ:VCO5");
        assertThat(Jwks.thumbprints(key)).containsExactly("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    @Test
    void aJwksWithEveryKeyTypeLoadsEachUnderItsKid() throws Exception {
        KeyPair rsa = Forge.keyPair("RSA");
        KeyPair ec = Forge.keyPair("secp521r1");
        KeyPair ed = Forge.keyPair("Ed25519");
        Path file = Forge.jwks(dir, "keys.json", Forge.jwk(rsa.getPublic(), "rsa"), Forge.jwk(ec.getPublic(), "ec"),
                Forge.jwk(ed.getPublic(), "ed"));

        TrustedKeys keys = TrustedKeys.load(null, file);

        assertThat(keys.byKid("rsa")).isEqualTo(rsa.getPublic());
        assertThat(keys.byKid("ec")).isEqualTo(ec.getPublic());
        assertThat(keys.byKid("ed").getEncoded()).isEqualTo(ed.getPublic().getEncoded());
        assertThat(keys.byKid(LibtrustKeyId.of(rsa.getPublic()))).isNull();
    }

    @Test
    void aBundleAndAJwksLoadTogether() throws Exception {
        Issued signer = TestCertificates.authority(dir.resolve("ca"), "EC", "ca").client("signer");
        Path bundle = Files.write(dir.resolve("bundle.pem"), Pem.encode("CERTIFICATE", signer.certificate().getEncoded()));
        KeyPair other = Forge.keyPair("secp256r1");
        Path jwks = Forge.jwks(dir, "keys.json", Forge.jwk(other.getPublic(), "other"));

        TrustedKeys keys = TrustedKeys.load(bundle, jwks);

        assertThat(keys.byKid(LibtrustKeyId.of(signer.keys().getPublic()))).isEqualTo(signer.certificate().getPublicKey());
        assertThat(keys.byKid("other")).isEqualTo(other.getPublic());
    }

    @Test
    void withAddsAKeyUnderItsLibtrustIdAndLeavesTheOriginalAlone() throws Exception {
        SigningKey key = SigningKey.generate();
        TrustedKeys none = TrustedKeys.none();
        TrustedKeys one = none.with(key.publicKey());
        String token = new TokenIssuer(key, "berth", Clock.systemUTC(), Duration.ofMinutes(1)).issue("alice", "registry", List.of());

        assertThat(new TokenVerifier(one, "berth", "registry", null, Clock.systemUTC(), Duration.ZERO).verify(token).subject())
                .isEqualTo("alice");
        assertThatThrownBy(() -> new TokenVerifier(none, "berth", "registry", null, Clock.systemUTC(), Duration.ZERO).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessage("unknown signing key");
    }

    @Test
    void jwksFilesThatCannotBeUsedAreRefusedByNameAndFault() throws Exception {
        Map<String, Object> ec = Forge.jwk(Forge.keyPair("secp256r1").getPublic(), "k2");
        assertJwksRefused("absent.json", null, "cannot read %s: no such file");
        assertJwksRefused("bad.json", "{\"keys\": [", "%s is not valid JSON: ");
        assertJwksRefused("nokeys.json", "{\"keys\": {}}", "%s is not a JWKS: it has no \"keys\" array");
        assertJwksRefused("empty.json", "{\"keys\": []}", "%s holds no keys");
        assertJwksRefused("nokid.json", "{\"keys\": [{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}]}", "%s: key 1 has no \"kid\"");
        assertJwksRefused("oct.json", "{\"keys\": [{\"kid\": \"k1\", \"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}",
                "%s: key k1: unsupported key type \"oct\" (Berth takes RSA, EC and OKP)");
        assertJwksRefused("offcurve.json", Forge.json(Map.of("keys", List.of(Forge.with(ec, "y", Forge.b64(new byte[] {1, 2, 3}))))),
                "%s: key k2: the point (x, y) is not on P-256");
        assertJwksRefused("p192.json", Forge.json(Map.of("keys", List.of(Forge.with(ec, "crv", "P-192")))),
                "%s: key k2: unsupported EC curve P-192 (Berth takes P-256, P-384 and P-521)");
        assertJwksRefused("x25519.json", "{\"keys\": [{\"kid\": \"k3\", \"kty\": \"OKP\", \"crv\": \"X25519\", \"x\": \"AA\"}]}",
                "%s: key k3: unsupported OKP curve X25519 (Berth takes Ed25519)");
        assertJwksRefused("noe.json", "{\"keys\": [{\"kid\": \"k4\", \"kty\": \"RSA\", \"n\": \"AQAB\"}]}",
                "%s: key k4: \"e\" is missing or not a string");
        assertJwksRefused("badn.json", "{\"keys\": [{\"kid\": \"k5\", \"kty\": \"RSA\", \"n\": \"A+B/\", \"e\": \"AQAB\"}]}",
                "%s: key k5: \"n\" is not base64url");
    }

    private void assertJwksRefused(String name, String content, String message) throws IOException {
        Path file = dir.resolve(name);
        if (content != null) {
            Files.writeString(file, content);
        }
        assertThatThrownBy(() -> TrustedKeys.load(null, file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(message.formatted(file));
    }

    @Test
    void rootBundlesThatCannotBeUsedAreRefusedByNameAndFault() throws Exception {
        Path absent = dir.resolve("absent.pem");
        assertThatThrownBy(() -> TrustedKeys.load(absent, null)).isInstanceOf(IOException.class)
                .hasMessage("cannot read " + absent + ": no such file");
        Path text = Files.writeString(dir.resolve("text.pem"), "just text");
        assertThatThrownBy(() -> TrustedKeys.load(text, null)).isInstanceOf(IOException.class)
                .hasMessage(text + " is not a PEM file (no \"-----BEGIN\" block)");
        Path keyOnly = Files.write(dir.resolve("key.pem"), SigningKey.generate().toPem());
        assertThatThrownBy(() -> TrustedKeys.load(keyOnly, null)).isInstanceOf(IOException.class)
                .hasMessage(keyOnly + " holds no \"BEGIN CERTIFICATE\" block");
        Path corrupt = Files.write(dir.resolve("corrupt.pem"), Pem.encode("CERTIFICATE", new byte[] {0x30, 0x03, 1, 2, 3}));
        assertThatThrownBy(() -> TrustedKeys.load(corrupt, null)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(corrupt + " holds a certificate that cannot be read");
    }

    @Test
    void nothingLoadedTrustsNothing() throws Exception {
        SigningKey key = SigningKey.generate();
        String token = new TokenIssuer(key, "berth", Clock.fixed(Instant.now(), ZoneOffset.UTC), Duration.ofMinutes(1))
                .issue("alice", "registry", List.of());
        assertThatThrownBy(() -> new TokenVerifier(TrustedKeys.load(null, null), "berth", "registry", null, Clock.systemUTC(),
                Duration.ZERO).verify(token)).isInstanceOf(InvalidTokenException.class).hasMessage("unknown signing key");
    }
}
