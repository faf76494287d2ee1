package io.berth.auth;

import io.berth.registry.RepositoryName;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Berth's {@code auth.access}: a request is allowed when some rule grants its action. Without
 * rules, as Distribution with htpasswd: every signed-in user may do everything, anonymous nothing.
 */
public final class AccessRules {

    /** The name that stands for a caller without credentials. */
    public static final String ANONYMOUS = "anonymous";
    /** In {@code users}, any signed-in user; in {@code actions}, every action. */
    public static final String ANY = "*";

    /** One rule: repository globs ({@code *} within a path segment, {@code **} across them), users, actions. */
    public record Rule(List<String> repositories, Set<String> users, Set<String> actions) {}

    private record Compiled(List<Pattern> repositories, Set<String> users, Set<String> actions) {
        boolean covers(Caller caller) {
            return caller.anonymous() ? users.contains(ANONYMOUS) : users.contains(ANY) || users.contains(caller.name());
        }

        boolean grants(Caller caller, String repository, String action) {
            return covers(caller) && (actions.contains(ANY) || actions.contains(action))
                    && repositories.stream().anyMatch(glob -> glob.matcher(repository).matches());
        }
    }

    private final List<Compiled> rules;

    private AccessRules(List<Compiled> rules) {
        this.rules = rules;
    }

    /** The rules as configured; an empty list means Distribution's behaviour. */
    public static AccessRules of(List<Rule> rules) {
        return new AccessRules(rules.stream()
                .map(rule -> new Compiled(rule.repositories().stream().map(AccessRules::glob).toList(), rule.users(), rule.actions()))
                .toList());
    }

    /** A repository glob as a pattern over whole names. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /** Whether {@code caller} may do {@code access}. */
    public boolean allows(Caller caller, Access access) {
        if (access.equals(Access.CATALOG)) {
            // Anyone who may pull something may ask; the listing shows only what they may pull.
            return !caller.anonymous() || rules.stream().anyMatch(rule -> rule.covers(caller));
        }
        if (!access.type().equals(Access.REPOSITORY)) {
            return false;
        }
        if (rules.isEmpty()) {
            return !caller.anonymous();
        }
        return rules.stream().anyMatch(rule -> rule.grants(caller, access.name(), access.action()));
    }

    /** What these rules grant {@code caller}. */
    public Grants grants(Caller caller) {
        return new Grants() {
            @Override
            public boolean allows(Access access) {
                return AccessRules.this.allows(caller, access);
            }

            @Override
            public boolean lists(RepositoryName name) {
                return AccessRules.this.lists(caller, name);
            }
        };
    }

    /** Whether the catalog shows {@code name} to {@code caller}: when it may pull it, or always without rules. */
    public boolean lists(Caller caller, RepositoryName name) {
        return rules.isEmpty() || allows(caller, Access.pull(name));
    }
}
