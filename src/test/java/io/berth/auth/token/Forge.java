package io.berth.auth.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tokens, keys and JWKs made by hand with the JDK and OpenSSL, independently of the code under
 * test, so that a test can hand the verifier exactly the bytes an attacker or another token server would.
 */
final class Forge {

    static final ObjectMapper JSON = new ObjectMapper();

    private Forge() {}

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String json(Object value) {
        if (value instanceof String text) {
            return text; // already JSON, e.g. with duplicate keys no serialiser writes
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code header.claims.signature}, signed with the JDK signature algorithm named. */
    static String token(Object header, Object claims, PrivateKey key, String jdkSignature) throws GeneralSecurityException {
        String input = b64(json(header)) + "." + b64(json(claims));
        Signature signature = Signature.getInstance(jdkSignature);
        signature.initSign(key);
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64(signature.sign());
    }

    static Map<String, Object> header(String alg, String kid) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", alg);
        if (kid != null) {
            header.put("kid", kid);
        }
        return header;
    }

    /** Claims Distribution's token servers write: for alice, pulling library/alpine, valid five minutes from {@code now}. */
    static Map<String, Object> claims(String issuer, String audience, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", "alice");
        claims.put("aud", audience);
        claims.put("exp", now.getEpochSecond() + 300);
        claims.put("nbf", now.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("jti", "forged-1");
        claims.put("access", List.of(Map.of("type", "repository", "name", "library/alpine", "actions", List.of("pull"))));
        return claims;
    }

    static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(map);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return copy;
    }

    /** An RSA (2048) key pair, EC on a named curve ({@code secp256r1}...), or Ed25519. */
    static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
        if (algorithm.startsWith("secp")) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(algorithm));
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    static byte[] pkcs8Pem(PrivateKey key) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return ("-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The public JWK of an RSA, EC or Ed25519 key, as a JWKS file holds it. */
    static Map<String, Object> jwk(PublicKey key, String kid) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kid", kid);
        switch (key) {
            case RSAPublicKey rsa -> {
                jwk.put("kty", "RSA");
                jwk.put("n", b64(unsigned(rsa.getModulus())));
                jwk.put("e", b64(unsigned(rsa.getPublicExponent())));
            }
            case ECPublicKey ec -> {
                int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
                jwk.put("kty", "EC");
                jwk.put("crv", "P-" + ec.getParams().getCurve().getField().getFieldSize());
                jwk.put("x", b64(padded(ec.getW().getAffineX(), size)));
                jwk.put("y", b64(padded(ec.getW().getAffineY(), size)));
            }
            default -> {
                byte[] der = key.getEncoded();
                jwk.put("kty", "OKP");
                jwk.put("crv", "Ed25519");
                jwk.put("x", b64(Arrays.copyOfRange(der, der.length - 32, der.length)));
            }
        }
        return jwk;
    }

    static Path jwks(Path dir, String name, Object... keys) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, json(Map.of("keys", List.of(keys))));
        return file;
    }

    static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static byte[] padded(BigInteger value, int size) {
        byte[] bytes = unsigned(value);
        byte[] out = new byte[size];
        System.arraycopy(bytes, 0, out, size - bytes.length, bytes.length);
        return out;
    }

    /** Runs a shell command line (OpenSSL and coreutils) in {@code dir}; its standard output, or a failure with its errors. */
    static String shell(Path dir, String commandLine) throws IOException, InterruptedException {
        Path errors = Files.createTempFile(dir, "stderr", ".txt");
        Process process = new ProcessBuilder("sh", "-c", commandLine).directory(dir.toFile())
                .redirectError(errors.toFile()).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(commandLine + " failed: " + Files.readString(errors));
        }
        return output.trim();
    }
}
