package io.berth.auth.token;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;

/**
 * Distribution's (libtrust's) key id: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits,
 * base32 without padding, 12 groups of 4 joined by ':'.
 */
public final class LibtrustKeyId {

    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private LibtrustKeyId() {}

    public static String of(PublicKey key) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        // 30 bytes are 240 bits: 48 base32 digits of 5 bits, no padding needed.
        StringBuilder id = new StringBuilder(59);
        int bits = 0;
        int buffer = 0;
        for (int i = 0; i < 30; i++) {
            buffer = (buffer << 8) | (hash[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                if (id.length() % 5 == 4) {
                    id.append(':');
                }
                id.append(BASE32.charAt((buffer >>> bits) & 31));
            }
        }
        return id.toString();
    }
}
