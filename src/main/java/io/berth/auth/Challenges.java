package io.berth.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Pieces of {@code WWW-Authenticate} values. */
final class Challenges {

    private Challenges() {}

    /** A quoted-string; characters that cannot appear in one are dropped. */
    static String quoted(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /**
     * The token scope of an access request, as Distribution writes it: one {@code type:name:actions}
     * per resource, separated by spaces. A push asks for pull too, as Distribution's does, since a
     * client pushing checks first what is there.
     */
    static String scope(AccessRequest request) {
        Map<String, Set<String>> actions = new LinkedHashMap<>();
        for (Access access : request.needed()) {
            Set<String> wanted = actions.computeIfAbsent(access.type() + ":" + access.name(), key -> new TreeSet<>());
            wanted.add(access.action());
            if (access.action().equals(Access.PUSH)) {
                wanted.add(Access.PULL);
            }
        }
        List<String> scopes = new ArrayList<>();
        actions.forEach((resource, wanted) -> scopes.add(resource + ":" + String.join(",", wanted)));
        return String.join(" ", scopes);
    }
}
