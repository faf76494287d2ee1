package io.berth.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Packs upload state into the opaque {@code _state} token handed to clients, signed with HMAC-SHA256
 * over the shared HTTP secret, so any replica with the same secret accepts it and nobody can forge one.
 */
final class UploadStateCodec {

    /** What a token says: which repository and upload it belongs to, and how far the upload had got. */
    record UploadState(String name, String uuid, long offset, String startedAt) {}

    private static final int MAC_LENGTH = 32;

    /** Initialised once; each use works on a clone, which is far cheaper than a fresh Mac. */
    private final Mac prototype;

    UploadStateCodec(byte[] secret) {
        try {
            prototype = Mac.getInstance("HmacSHA256");
            prototype.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    String pack(UploadState state) {
        try {
            byte[] json = Exchange.JSON.writeValueAsBytes(state);
            byte[] mac = mac(json);
            byte[] token = Arrays.copyOf(mac, mac.length + json.length);
            System.arraycopy(json, 0, token, mac.length, json.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The state in a token. One that is not a token at all, whose signature fails (tampered with,
     * or signed with another key), or whose signed content cannot be read is {@code BLOB_UPLOAD_INVALID},
     * each with its own message.
     */
    UploadState unpack(String token) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalid("upload state token is malformed: not base64url");
        }
        if (raw.length <= MAC_LENGTH) {
            throw invalid("upload state token is malformed: too short to hold a signature and a state");
        }
        byte[] json = Arrays.copyOfRange(raw, MAC_LENGTH, raw.length);
        if (!MessageDigest.isEqual(mac(json), Arrays.copyOf(raw, MAC_LENGTH))) {
            throw invalid("upload state token was tampered with or signed with another secret");
        }
        try {
            return Exchange.JSON.readValue(json, UploadState.class);
        } catch (IOException e) {
            // Genuine, so written by a Berth whose state had another shape.
            throw invalid("upload state token is signed but its state cannot be read");
        }
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(new RegistryError.BlobUploadInvalid(message));
    }

    private byte[] mac(byte[] content) {
        try {
            return ((Mac) prototype.clone()).doFinal(content);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
    }
}
