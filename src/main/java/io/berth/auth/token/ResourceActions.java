package io.berth.auth.token;

import java.util.List;
import java.util.Objects;

/** One entry of a token's "access" claim, as Distribution's token spec has it. */
public record ResourceActions(String type, String name, List<String> actions) {

    public ResourceActions {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        actions = List.copyOf(actions);
    }
}
