package io.berth.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code auth.access}: each rule names repository globs, users and actions, and each must be able
 * to grant something, so a rule that could never match is refused rather than silently granting nothing.
 */
final class AccessRules {

    private static final List<String> FIELDS = List.of("repositories", "users", "actions");
    private static final List<String> ACTIONS = List.of("pull", "push", "delete", "*");
    /** One path component of a repository name, as the distribution spec defines it. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final int LONGEST_NAME = 255;

    private AccessRules() {}

    static List<Config.AccessRule> read(Values v) {
        List<Config.AccessRule> rules = new ArrayList<>();
        List<Map<String, Object>> records = v.records("auth.access");
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> record = records.get(i);
            String rule = "rule " + (i + 1);
            for (String field : FIELDS) {
                if (record.get(field) == null) {
                    throw v.error("auth.access", rule + " has no " + field + "; every rule needs repositories, users and actions");
                }
            }
            List<String> repositories = names(v, rule, record, "repositories");
            for (String glob : repositories) {
                String problem = globProblem(glob);
                if (problem != null) {
                    throw v.error("auth.access", rule + ": repository \"" + glob + "\" " + problem);
                }
            }
            List<String> actions = names(v, rule, record, "actions");
            for (String action : actions) {
                if (!ACTIONS.contains(action)) {
                    String closest = Suggestions.closest(action, ACTIONS);
                    throw v.error("auth.access", rule + ": unknown action \"" + action + "\"; actions are pull, push, delete and *"
                            + (closest == null ? "" : "; did you mean " + closest + "?"));
                }
            }
            rules.add(new Config.AccessRule(repositories, names(v, rule, record, "users"), actions));
        }
        return List.copyOf(rules);
    }

    /** A field's names: a list (or one name) of non-blank words. */
    private static List<String> names(Values v, String rule, Map<String, Object> record, String field) {
        Object value = record.get(field);
        List<?> items = value instanceof List<?> list ? list : List.of(value);
        if (items.isEmpty()) {
            throw v.error("auth.access", rule + ": " + field + " is empty, so the rule grants nothing");
        }
        List<String> names = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String name) || name.isBlank()) {
                throw v.error("auth.access", rule + ": " + field + ": expected a list of names such as [a, b], got " + value);
            }
            names.add(name.strip());
        }
        return List.copyOf(names);
    }

    /**
     * Why a glob can never match a repository name, or null when it can. {@code **} stands for whole
     * segments; within a segment {@code *} is tried as one letter, which joins any separators around it
     * validly, so if that spelling is no name component, no spelling is.
     */
    static String globProblem(String glob) {
        if (!glob.equals(glob.toLowerCase(Locale.ROOT))) {
            return "can never match: repository names are lower case";
        }
        int shortest = 0;
        for (String segment : glob.split("/", -1)) {
            if (segment.isEmpty()) {
                return "can never match: it has an empty path segment (a leading, trailing or double /)";
            }
            if (segment.equals("**")) {
                continue;
            }
            if (segment.contains("**")) {
                return "can never match: ** stands for whole path segments only (team/**/app), not for part of one";
            }
            String witness = segment.replace("*", "a");
            if (!COMPONENT.matcher(witness).matches()) {
                return "can never match: \"" + segment + "\" is no name component (lower-case letters and digits,"
                        + " separated by single ., _, __ or dashes)";
            }
            shortest += witness.length() + 1;
        }
        if (shortest - 1 > LONGEST_NAME) {
            return "can never match: repository names are at most " + LONGEST_NAME + " characters";
        }
        return null;
    }
}
