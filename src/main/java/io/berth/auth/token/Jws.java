package io.berth.auth.token;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The compact serialisation of a JSON Web Signature (RFC 7515): three unpadded base64url parts,
 * header, payload and signature. JSON is read with tight bounds, since a token comes from anyone.
 */
final class Jws {

    /** Longer tokens are refused before any decoding; real ones are a few KiB at most. */
    static final int MAX_LENGTH = 16 * 1024;

    /** Strict JSON: no duplicate keys (a parser differential attack), no trailing data, shallow nesting. */
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16).maxNumberLength(40).maxStringLength(MAX_LENGTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A token split and decoded, its signature not checked yet. */
    record Parsed(ObjectNode header, byte[] signingInput, byte[] payload, byte[] signature) {}

    private Jws() {}

    static Parsed parse(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("no token");
        }
        if (token.length() > MAX_LENGTH) {
            throw new InvalidTokenException("token is too long");
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0 || token.indexOf('.', second + 1) >= 0) {
            throw new InvalidTokenException("malformed token: not three dot-separated parts");
        }
        ObjectNode header = object(decode(token.substring(0, first), "header"), "header");
        byte[] payload = decode(token.substring(first + 1, second), "claims");
        byte[] signature = decode(token.substring(second + 1), "signature");
        return new Parsed(header, token.substring(0, second).getBytes(StandardCharsets.US_ASCII), payload, signature);
    }

    /** {@code header.payload.signature}, signed by {@code key}. */
    static String sign(ObjectNode header, ObjectNode claims, SigningKey key) {
        String input = encode(bytes(header)) + "." + encode(bytes(claims));
        return input + "." + encode(key.sign(input.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A JSON object in UTF-8; {@code what} names it in the refusal. */
    static ObjectNode object(byte[] json, String what) throws InvalidTokenException {
        JsonNode node;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(json)).toString();
            node = JSON.readTree(text);
        } catch (CharacterCodingException e) {
            throw new InvalidTokenException("malformed token: " + what + " is not UTF-8");
        } catch (IOException e) {
            throw new InvalidTokenException("malformed token: " + what + " is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidTokenException("malformed token: " + what + " is not a JSON object");
        }
        return object;
    }

    /** Unpadded base64url, as RFC 7515 has it; padding or any other character is refused. */
    static byte[] decode(String part, String what) throws InvalidTokenException {
        if (part.indexOf('=') >= 0) {
            throw new InvalidTokenException("malformed token: " + what + " is padded base64");
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token: " + what + " is not base64url");
        }
    }

    static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] bytes(ObjectNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
