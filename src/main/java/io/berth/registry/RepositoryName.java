package io.berth.registry;

import java.util.List;

/** A repository name in the spec's grammar: slash-separated lowercase components, 255 characters at most. */
public record RepositoryName(String value) {

    /** Longest name accepted, as in Distribution. */
    public static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid(value, "must be 1 to " + MAX_LENGTH + " characters");
        }
        int start = 0;
        for (int slash; start <= value.length(); start = slash + 1) {
            slash = value.indexOf('/', start);
            if (slash < 0) {
                slash = value.length();
            }
            if (!isComponent(value, start, slash)) {
                throw invalid(value, "each component must match " + COMPONENT);
            }
        }
    }

    private static final String COMPONENT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*";

    /**
     * {@code value[from, to)} matches {@link #COMPONENT}: runs of lowercase letters and digits joined
     * by one '.', one or two '_', or any number of '-'. A loop, since every request checks a name.
     */
    private static boolean isComponent(String value, int from, int to) {
        if (from == to || !isAlphanumeric(value.charAt(from)) || !isAlphanumeric(value.charAt(to - 1))) {
            return false;
        }
        int i = from;
        while (i < to) {
            char c = value.charAt(i);
            if (isAlphanumeric(c)) {
                i++;
                continue;
            }
            int separator = i;
            while (i < to && !isAlphanumeric(value.charAt(i))) {
                i++;
            }
            String joint = value.substring(separator, i);
            boolean dashes = joint.chars().allMatch(ch -> ch == '-');
            if (!(dashes || joint.equals(".") || joint.equals("_") || joint.equals("__"))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** Builds a name from path components, each already checked to hold no slash. */
    public static RepositoryName of(List<String> components) {
        return new RepositoryName(String.join("/", components));
    }

    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }


    private static RegistryException invalid(String value, String why) {
        String shown = value == null ? "" : value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return new RegistryException(new RegistryError.NameInvalid(
                "invalid repository name \"" + shown.replaceAll("\\p{Cntrl}", "?") + "\": " + why));
    }

    @Override
    public String toString() {
        return value;
    }
}
