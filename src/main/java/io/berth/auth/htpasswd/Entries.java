package io.berth.auth.htpasswd;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users of one reading of an htpasswd file and their bcrypt hashes. Lines are {@code user:hash};
 * blank lines and {@code #} comments are skipped, surrounding spaces trimmed (as Distribution does);
 * a line that cannot be used is skipped with one warning naming its number (and its user, never its
 * hash), where Distribution would refuse the whole file or accept a hash it can never match.
 */
record Entries(Map<String, BcryptHash> users) {

    private static final Logger log = LoggerFactory.getLogger(Htpasswd.class);

    /** Longer lines are skipped: a bcrypt line is a user name and 60 characters. */
    static final int MAX_LINE_BYTES = 4096;

    Entries {
        users = Map.copyOf(users);
    }

    /** Parses the whole content of {@code file} (named in warnings only). */
    static Entries parse(byte[] content, Path file) {
        Map<String, BcryptHash> users = new HashMap<>();
        int start = 0;
        for (int number = 1; start < content.length; number++) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            String problem = line(content, start, end, users);
            if (problem != null) {
                log.warn("htpasswd file {}: line {} {}", file, number, problem);
            }
            start = end + 1;
        }
        return new Entries(users);
    }

    /** The bcrypt cost most entries use (the one to spend on unknown users), or htpasswd's default. */
    int commonCost() {
        return users.values().stream()
                .collect(Collectors.groupingBy(BcryptHash::cost, Collectors.counting()))
                .entrySet().stream()
                .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .map(Map.Entry::getKey)
                .orElse(BcryptHash.HTPASSWD_DEFAULT_COST);
    }

    /** Adds the entry of bytes [start, end) to {@code users}; what to warn about, else null. */
    private static String line(byte[] content, int start, int end, Map<String, BcryptHash> users) {
        if (end - start > MAX_LINE_BYTES) {
            return "skipped: longer than " + MAX_LINE_BYTES + " bytes";
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, start, end - start)).toString().strip();
        } catch (CharacterCodingException e) {
            return "skipped: not UTF-8";
        }
        if (text.isEmpty() || text.startsWith("#")) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return "skipped: not user:hash"; // the line is not shown: it might be a password
        }
        String user = text.substring(0, colon);
        String hash = text.substring(colon + 1);
        if (!validUser(user)) {
            return "skipped: the user name is empty or holds control characters";
        }
        if (!BcryptHash.looksLikeBcrypt(hash)) {
            return "skipped: user " + user + " has a " + kind(hash) + " hash; only bcrypt (htpasswd -B) is accepted, as by Distribution";
        }
        try {
            BcryptHash parsed = BcryptHash.parse(hash);
            return users.put(user, parsed) == null ? null
                    : "repeats user " + user + ": this later line counts, as in Distribution";
        } catch (IllegalArgumentException e) {
            return "skipped: user " + user + " has a malformed bcrypt hash";
        }
    }

    /** A user name that can stand in a file line and in a log line. */
    static boolean validUser(String user) {
        return !user.isEmpty() && user.chars().noneMatch(Character::isISOControl);
    }

    private static String kind(String hash) {
        Map<String, String> prefixes = Map.of("$apr1$", "MD5 ($apr1$)", "{SHA}", "SHA-1 ({SHA})", "$1$", "MD5-crypt ($1$)",
                "$5$", "SHA-256-crypt ($5$)", "$6$", "SHA-512-crypt ($6$)", "$2", "bcrypt variant Berth does not accept");
        return prefixes.entrySet().stream().filter(e -> hash.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("crypt or plain text");
    }
}
