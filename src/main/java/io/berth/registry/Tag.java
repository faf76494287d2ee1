package io.berth.registry;

/** A tag in the spec's grammar: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Reference {

    private static final String GRAMMAR = "[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}";

    public Tag {
        if (!isValid(value)) {
            throw new RegistryException(new RegistryError.TagInvalid("invalid tag: must match " + GRAMMAR));
        }
    }

    /** True for a tag in the grammar; a loop, since tag listings check every entry. */
    public static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > 128 || value.charAt(0) == '.' || value.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
