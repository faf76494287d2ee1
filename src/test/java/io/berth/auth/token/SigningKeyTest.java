package io.berth.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.crypto.Pem;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signing keys read from every PEM form OpenSSL writes, with the public key, algorithm and libtrust
 * kid OpenSSL derives for them; and the forms Berth cannot sign with, refused with the reason.
 */
class SigningKeyTest {

    @TempDir
    static Path dir;

    static Stream<Arguments> opensslKeys() {
        return Stream.of(
                Arguments.of("rsa-pkcs8", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048", "PRIVATE KEY", "RS256"),
                Arguments.of("rsa-pkcs1", "openssl genrsa -traditional -out {} 2048", "RSA PRIVATE KEY", "RS256"),
                Arguments.of("p256-sec1", "openssl ecparam -genkey -noout -name prime256v1", "EC PRIVATE KEY", "ES256"),
                Arguments.of("p384-sec1", "openssl ecparam -genkey -noout -name secp384r1", "EC PRIVATE KEY", "ES384"),
                Arguments.of("p521-sec1", "openssl ecparam -genkey -noout -name secp521r1", "EC PRIVATE KEY", "ES512"),
                Arguments.of("p256-pkcs8", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256", "PRIVATE KEY", "ES256"),
                Arguments.of("ed25519", "openssl genpkey -algorithm ed25519", "PRIVATE KEY", "EdDSA"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("opensslKeys")
    void aKeyOpensslWroteLoadsWithOpensslsPublicKeyAndLibtrustId(String name, String command, String type, String algorithm)
            throws Exception {
        Path file = dir.resolve(name + ".pem");
        Forge.shell(dir, command.contains("{}") ? command.replace("{}", file.toString()) : command + " -out " + file);
        assertThat(Files.readString(file)).startsWith("-----BEGIN " + type + "-----");

        SigningKey key = SigningKey.fromPem(Files.readAllBytes(file));

        assertThat(key.algorithm()).isEqualTo(algorithm);
        String publicDer = Forge.shell(dir, "openssl pkey -in " + file + " -pubout -outform DER | base64 -w0");
        assertThat(Base64.getEncoder().encodeToString(key.publicKey().getEncoded())).isEqualTo(publicDer);
        String libtrustId = Forge.shell(dir, "openssl pkey -in " + file + " -pubout -outform DER | openssl dgst -sha256 -binary"
                + " | head -c 30 | base32 | fold -w4 | paste -sd:");
        assertThat(key.keyId()).isEqualTo(libtrustId);
        assertSignsTokens(key);
    }

    @Test
    void aGeneratedKeyIsP256AndSurvivesItsPem() throws Exception {
        SigningKey key = SigningKey.generate();
        byte[] pem = key.toPem();

        SigningKey again = SigningKey.fromPem(pem);

        assertThat(key.algorithm()).isEqualTo("ES256");
        assertThat(new String(pem, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(again.keyId()).isEqualTo(key.keyId());
        assertThat(again.publicKey()).isEqualTo(key.publicKey());
        // OpenSSL reads the PEM Berth writes as the same key.
        Path file = Files.write(dir.resolve("generated.pem"), pem);
        assertThat(Forge.shell(dir, "openssl pkey -in " + file + " -pubout -outform DER | base64 -w0"))
                .isEqualTo(Base64.getEncoder().encodeToString(key.publicKey().getEncoded()));
        String token = new TokenIssuer(again, "berth", Clock.systemUTC(), Duration.ofMinutes(1)).issue("alice", "registry", List.of());
        assertThat(new TokenVerifier(TrustedKeys.none().with(key.publicKey()), "berth", "registry", null, Clock.systemUTC(),
                Duration.ZERO).verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void anEcKeyWithoutItsCurveIsReadOnTheCurveItsLengthNames() throws Exception {
        KeyPair pair = Forge.keyPair("secp384r1");
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(pair.getPrivate()); // Bouncy Castle writes a JDK EC key as SEC 1 without the curve
        }

        SigningKey key = SigningKey.fromPem(pem.toString().getBytes(StandardCharsets.US_ASCII));

        assertThat(pem.toString()).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(key.algorithm()).isEqualTo("ES384");
        assertThat(key.publicKey()).isEqualTo(pair.getPublic());
    }

    @Test
    void keysBerthCannotSignWithAreRefusedWithTheReason() throws Exception {
        assertRefused(Forge.shell(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:secret"),
                "the PEM text holds an encrypted key; Berth needs an unencrypted PEM key");
        assertRefused(Forge.shell(dir, "openssl ecparam -genkey -noout -name prime256v1 | openssl ec -aes256 -passout pass:secret"),
                "the PEM text holds an encrypted key; Berth needs an unencrypted PEM key");
        assertRefused(Forge.shell(dir, "openssl genpkey -algorithm ed448"),
                "the PEM text holds an Ed448 key; tokens are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys");
        assertRefused(Forge.shell(dir, "openssl genpkey -algorithm x25519"),
                "the PEM text holds a key of an algorithm Berth does not know (not RSA, EC or Ed25519)");
        assertRefused(Forge.shell(dir, "openssl ecparam -genkey -noout -name secp256k1"),
                "the PEM text holds an EC key on another curve; tokens are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys");
        assertRefused("not a key", "the PEM text is not a PEM file (no \"-----BEGIN\" block)");
        assertRefused(new String(Pem.encode("CERTIFICATE", new byte[] {1}), StandardCharsets.US_ASCII),
                "the PEM text holds no private key; Berth needs an unencrypted PEM key");
        assertRefused(new String(Pem.encode("PRIVATE KEY", new byte[] {0x30, 0x01}), StandardCharsets.US_ASCII),
                "the PEM text holds a PRIVATE KEY that cannot be read");
    }

    private static void assertRefused(String pem, String message) {
        assertThatThrownBy(() -> SigningKey.fromPem(pem.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageStartingWith(message);
    }

    private static void assertSignsTokens(SigningKey key) throws InvalidTokenException {
        String token = new TokenIssuer(key, "berth", Clock.systemUTC(), Duration.ofMinutes(1)).issue("alice", "registry", List.of());
        Claims claims = new TokenVerifier(TrustedKeys.none().with(key.publicKey()), "berth", "registry", null,
                Clock.systemUTC(), Duration.ZERO).verify(token);
        assertThat(claims.subject()).isEqualTo("alice");
    }
}
