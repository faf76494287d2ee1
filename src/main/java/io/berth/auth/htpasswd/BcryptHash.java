package io.berth.auth.htpasswd;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/** One bcrypt hash as {@code htpasswd -B} writes it ({@code $2y$}, {@code $2a$} or {@code $2b$}): cost, salt and digest. */
record BcryptHash(int cost, byte[] salt, byte[] digest) {

    /** The prefixes Berth accepts; {@code $2x$} (a buggy old variant) and {@code $2$} are left out. */
    static final List<String> PREFIXES = List.of("$2y$", "$2a$", "$2b$");

    /** bcrypt's key schedule uses at most 72 bytes of the password; C and Go bcrypt ignore the rest. */
    static final int KEY_BYTES = 72;

    /** What {@code htpasswd -B} uses without {@code -C}. */
    static final int HTPASSWD_DEFAULT_COST = 5;

    private static final int DIGEST_BYTES = 23;

    /** True when {@code text} starts like a bcrypt hash Berth accepts (it may still be malformed). */
    static boolean looksLikeBcrypt(String text) {
        return PREFIXES.stream().anyMatch(text::startsWith);
    }

    /** Parses a whole hash; IllegalArgumentException (without the hash) when it is not one. */
    static BcryptHash parse(String text) {
        try {
            BCrypt.HashData data = BCrypt.Version.VERSION_2A.parser.parse(text.getBytes(StandardCharsets.US_ASCII));
            return new BcryptHash(data.cost, data.rawSalt, Arrays.copyOf(data.rawHash, DIGEST_BYTES));
        } catch (IllegalBCryptFormatException | RuntimeException e) {
            throw new IllegalArgumentException("malformed bcrypt hash");
        }
    }

    /** A hash no password matches (random digest), to spend a real check's time on unknown users. */
    static BcryptHash dummy(int cost) {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[BCrypt.SALT_LENGTH];
        byte[] digest = new byte[DIGEST_BYTES];
        random.nextBytes(salt);
        random.nextBytes(digest);
        return new BcryptHash(cost, salt, digest);
    }

    /**
     * The bytes bcrypt hashes for a password: its UTF-8 encoding cut at 72 bytes, as C's and Go's
     * bcrypt (and so Apache and Distribution) do; null when the string is not well-formed UTF-16.
     */
    static byte[] key(String password) {
        // Every char is a byte or more, so 72 chars (and the rest of a pair cut at their end) give
        // enough bytes: a huge password costs no more than a short one.
        int end = Math.min(password.length(), KEY_BYTES);
        if (end < password.length() && Character.isHighSurrogate(password.charAt(end - 1))) {
            end++;
        }
        CharBuffer chars = CharBuffer.wrap(password, 0, end);
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(chars);
            byte[] key = new byte[Math.min(bytes.remaining(), KEY_BYTES)];
            bytes.get(key);
            return key;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** True when {@code key} (from {@link #key}) hashes to this digest: one full bcrypt computation. */
    boolean matches(byte[] key) {
        // Version 2A only shapes the text form; the none() strategy is safe as keys never exceed 72 bytes.
        BCrypt.HashData computed = BCrypt.with(BCrypt.Version.VERSION_2A, LongPasswordStrategies.none())
                .hashRaw(cost, salt, key);
        return MessageDigest.isEqual(Arrays.copyOf(computed.rawHash, DIGEST_BYTES), digest);
    }
}
