package io.berth.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A validated content digest in canonical {@code algorithm:hex} form; only sha256 and sha512 are accepted. */
public record Digest(Algorithm algorithm, String hex) implements Reference {

    /** The digest algorithms Berth verifies content with. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String prefix;
        private final String jcaName;
        private final int hexLength;

        Algorithm(String prefix, String jcaName, int hexLength) {
            this.prefix = prefix;
            this.jcaName = jcaName;
            this.hexLength = hexLength;
        }

        public String prefix() {
            return prefix;
        }

        /** A fresh hasher for this algorithm. */
        public MessageDigest newHasher() {
            try {
                return MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + jcaName, e);
            }
        }

        static Algorithm of(String prefix) {
            return switch (prefix) {
                case "sha256" -> SHA256;
                case "sha512" -> SHA512;
                default -> null;
            };
        }
    }

    public Digest {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength || !isLowerHex(hex)) {
            throw new RegistryException(new RegistryError.DigestInvalid("invalid digest: " + algorithm + ":" + hex));
        }
    }

    /** Parses {@code algorithm:hex}; anything else is a {@link RegistryError.DigestInvalid}. */
    public static Digest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        Algorithm algorithm = colon < 0 ? null : Algorithm.of(text.substring(0, colon));
        if (algorithm == null) {
            throw new RegistryException(new RegistryError.DigestInvalid(
                    "invalid digest " + quote(text) + ": expected sha256:<64 hex> or sha512:<128 hex>"));
        }
        String hex = text.substring(colon + 1);
        if (hex.length() != algorithm.hexLength || !isLowerHex(hex)) {
            throw new RegistryException(new RegistryError.DigestInvalid(
                    "invalid digest " + quote(text) + ": expected " + algorithm.hexLength + " lowercase hex digits"));
        }
        return new Digest(algorithm, hex);
    }

    /** The digest of a finished hasher. */
    public static Digest of(Algorithm algorithm, MessageDigest hasher) {
        return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
    }

    /** The digest of a byte array. */
    public static Digest of(Algorithm algorithm, byte[] content) {
        MessageDigest hasher = algorithm.newHasher();
        hasher.update(content);
        return of(algorithm, hasher);
    }

    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, content);
    }

    /** Every request names a digest; a loop is several times cheaper than a regex here. */
    private static boolean isLowerHex(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String text) {
        if (text == null) {
            return "(none)";
        }
        String shown = text.length() > 160 ? text.substring(0, 160) + "..." : text;
        return '"' + shown.replaceAll("\\p{Cntrl}", "?") + '"';
    }

    @Override
    public String toString() {
        return algorithm.prefix + ":" + hex;
    }
}
