package io.berth.auth.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** JSON Web Key Sets (RFC 7517) of public keys, and JWK thumbprints (RFC 7638). */
final class Jwks {

    /** The DER SubjectPublicKeyInfo of an Ed25519 key, up to the 32 bytes of the key itself. */
    private static final byte[] ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Jwks() {}

    /** The keys of a JWKS file by kid; IOException names the file and what is wrong. */
    static Map<String, PublicKey> load(Path file) throws IOException {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        JsonNode root;
        try {
            root = Jws.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode keys = root == null ? null : root.get("keys");
        if (keys == null || !keys.isArray()) {
            throw new IOException(file + " is not a JWKS: it has no \"keys\" array");
        }
        if (keys.isEmpty()) {
            throw new IOException(file + " holds no keys");
        }
        Map<String, PublicKey> byKid = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            JsonNode key = keys.get(i);
            String kid = key.path("kid").isTextual() ? key.get("kid").asText() : "";
            if (kid.isEmpty()) {
                throw new IOException(file + ": key " + (i + 1) + " has no \"kid\"");
            }
            try {
                byKid.put(kid, publicKey(key));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                throw new IOException(file + ": key " + kid + ": " + e.getMessage());
            }
        }
        return byKid;
    }

    /** An IOException that names the file and, briefly, why it cannot be read. */
    static IOException unreadable(Path file, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file"
                : e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
        return new IOException("cannot read " + file + ": " + why);
    }

    private static PublicKey publicKey(JsonNode key) throws GeneralSecurityException {
        String type = text(key, "kty");
        return switch (type) {
            case "RSA" -> KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(number(key, "n"), number(key, "e")));
            case "EC" -> ecKey(key);
            case "OKP" -> {
                if (!text(key, "crv").equals("Ed25519")) {
                    throw new IllegalArgumentException("unsupported OKP curve " + text(key, "crv") + " (Berth takes Ed25519)");
                }
                byte[] x = bytes(key, "x");
                if (x.length != 32) {
                    throw new IllegalArgumentException("an Ed25519 \"x\" must be 32 bytes");
                }
                byte[] der = Arrays.copyOf(ED25519_PREFIX, ED25519_PREFIX.length + 32);
                System.arraycopy(x, 0, der, ED25519_PREFIX.length, 32);
                yield KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            }
            default -> throw new IllegalArgumentException("unsupported key type \"" + type + "\" (Berth takes RSA, EC and OKP)");
        };
    }

    private static PublicKey ecKey(JsonNode key) throws GeneralSecurityException {
        ECParameterSpec curve = Curves.named(text(key, "crv"));
        if (curve == null) {
            throw new IllegalArgumentException("unsupported EC curve " + text(key, "crv") + " (Berth takes P-256, P-384 and P-521)");
        }
        ECPoint point = new ECPoint(number(key, "x"), number(key, "y"));
        // Checked here rather than left to the provider: a point off the curve invites invalid-curve attacks.
        if (!Curves.onCurve(point, curve)) {
            throw new IllegalArgumentException("the point (x, y) is not on " + text(key, "crv"));
        }
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, curve));
    }

    private static String text(JsonNode key, String field) {
        JsonNode value = key.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a string");
        }
        return value.asText();
    }

    private static byte[] bytes(JsonNode key, String field) {
        String value = text(key, field);
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not base64url");
        }
    }

    private static BigInteger number(JsonNode key, String field) {
        return new BigInteger(1, bytes(key, field));
    }

    /**
     * The RFC 7638 thumbprints a token server may name {@code key} by. Distribution 3 trusts a
     * root certificate's key under its thumbprint, but writes EC coordinates without leading zero
     * bytes, where the RFC keeps them at full length: both are given when they differ.
     */
    static Set<String> thumbprints(PublicKey key) {
        Set<String> thumbprints = new LinkedHashSet<>();
        switch (key) {
            case RSAPublicKey rsa -> thumbprints.add(hash("{\"e\":\"" + b64(unsigned(rsa.getPublicExponent(), 0))
                    + "\",\"kty\":\"RSA\",\"n\":\"" + b64(unsigned(rsa.getModulus(), 0)) + "\"}"));
            case ECPublicKey ec when Curves.nameOf(ec.getParams()) != null -> {
                int size = (Curves.prime(ec.getParams()).bitLength() + 7) / 8;
                for (int length : new int[] {size, 0}) {
                    thumbprints.add(hash("{\"crv\":\"" + Curves.nameOf(ec.getParams()) + "\",\"kty\":\"EC\",\"x\":\""
                            + b64(unsigned(ec.getW().getAffineX(), length)) + "\",\"y\":\""
                            + b64(unsigned(ec.getW().getAffineY(), length)) + "\"}"));
                }
            }
            case EdECPublicKey ed when ed.getParams().getName().equalsIgnoreCase("Ed25519") -> {
                byte[] der = ed.getEncoded();
                byte[] x = Arrays.copyOfRange(der, der.length - 32, der.length);
                thumbprints.add(hash("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + b64(x) + "\"}"));
            }
            default -> { }
        }
        return thumbprints;
    }

    /** Big-endian bytes without sign; at least {@code length} long (left-padded with zeros), or minimal for 0. */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        int size = bytes.length - start;
        byte[] out = new byte[Math.max(size, length)];
        System.arraycopy(bytes, start, out, out.length - size, size);
        return out;
    }

    private static String hash(String json) {
        try {
            return b64(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String b64(byte[] bytes) {
        return Jws.encode(bytes);
    }
}
