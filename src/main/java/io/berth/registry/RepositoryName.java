package io.berth.registry;

import java.util.List;
import java.util.regex.Pattern;

/** A repository name in the spec's grammar: slash-separated lowercase components, 255 characters at most. */
public record RepositoryName(String value) {

    /** Longest name accepted, as in Distribution. */
    public static final int MAX_LENGTH = 255;

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");

    public RepositoryName {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid(value, "must be 1 to " + MAX_LENGTH + " characters");
        }
        for (String component : value.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(value, "each component must match " + COMPONENT.pattern());
            }
        }
    }

    /** Builds a name from path components, each already checked to hold no slash. */
    public static RepositoryName of(List<String> components) {
        return new RepositoryName(String.join("/", components));
    }

    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }

    /** The components of the name, in order. */
    public List<String> components() {
        return List.of(value.split("/"));
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
