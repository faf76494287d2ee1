package io.berth.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The valid key closest to a misspelt one, by edit distance (a swap of two letters counts as one edit). */
final class Suggestions {

    private Suggestions() {}

    /** The schema key closest to {@code key} over its whole dotted path, or null when none is close. */
    static String closestKey(String key) {
        String[] have = key.split("\\.");
        List<String> candidates = new ArrayList<>();
        for (Schema.Key schema : Schema.KEYS) {
            String[] want = schema.pattern().split("\\.");
            if (want.length == have.length) {
                // A * segment takes the name written: log.feilds.service is close to log.fields.service.
                for (int i = 0; i < want.length; i++) {
                    want[i] = want[i].equals("*") ? have[i] : want[i];
                }
                candidates.add(String.join(".", want));
            } else if (!schema.pattern().contains("*")) {
                candidates.add(schema.pattern());
            }
        }
        return closest(key, candidates);
    }

    /** The candidate closest to {@code word}, or null when none is within a few edits. */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(word, candidate);
            if (d < bestDistance || d == bestDistance && candidate.compareTo(best) < 0) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, word.length() / 5) ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
