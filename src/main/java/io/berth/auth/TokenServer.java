package io.berth.auth;

import io.berth.auth.token.ResourceActions;
import io.berth.auth.token.TokenIssuer;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Berth's own Docker token endpoint ({@code auth.tokenserver}): signs the caller in from the
 * htpasswd file (anonymous without credentials) and issues a token for the intersection of the
 * scopes asked for and what the access rules grant.
 */
public final class TokenServer {

    /** Scopes one request may ask for; a client asks for one or two. */
    private static final int MAX_SCOPES = 64;
    private static final List<String> REPOSITORY_ACTIONS = List.of(Access.PULL, Access.PUSH, Access.DELETE);

    /** What the endpoint answers. */
    public sealed interface Answer {
        /** 200 with the token, valid for {@code expiresIn}, for {@code caller}. */
        record Issued(Caller caller, String token, Duration expiresIn, Instant issuedAt) implements Answer {}

        /** 401: bad credentials. */
        record Unauthorized(String challenge, String message) implements Answer {}

        /** 429: too many failed sign-ins of this user from this address. */
        record Throttled(Duration retryAfter) implements Answer {}

        /** 400: a service that is not this one, or a malformed scope. */
        record Invalid(String message) implements Answer {}
    }

    private final BasicSignIn signIn;
    private final AccessRules rules;
    private final TokenIssuer issuer;
    private final String service;
    private final String challenge;
    private final Clock clock;

    public TokenServer(BasicSignIn signIn, AccessRules rules, TokenIssuer issuer, String service, String realm, Clock clock) {
        this.clock = clock;
        this.signIn = signIn;
        this.rules = rules;
        this.issuer = issuer;
        this.service = service;
        this.challenge = "Basic realm=" + Challenges.quoted(realm);
    }

    /** Answers {@code GET /auth/token?service=&scope=...}; {@code scopes} are the scope parameters, each possibly several separated by spaces. */
    public Answer issue(Credentials credentials, String requestedService, List<String> scopes) {
        if (requestedService != null && !requestedService.equals(service)) {
            return new Answer.Invalid("this token server issues tokens for service \"" + service + "\" only");
        }
        Caller caller;
        switch (signIn.check(credentials.authorization(), credentials.address())) {
            case BasicSignIn.Outcome.Anonymous a -> caller = Caller.ANONYMOUS;
            case BasicSignIn.Outcome.SignedIn s -> caller = s.caller();
            case BasicSignIn.Outcome.Failed f -> {
                return new Answer.Unauthorized(challenge, f.message());
            }
            case BasicSignIn.Outcome.Throttled t -> {
                return new Answer.Throttled(t.retryAfter());
            }
        }
        List<ResourceActions> granted = new ArrayList<>();
        List<String> asked = split(scopes);
        if (asked.size() > MAX_SCOPES) {
            return new Answer.Invalid("at most " + MAX_SCOPES + " scopes may be asked for at once");
        }
        for (String scope : asked) {
            ResourceActions wanted = parse(scope);
            if (wanted == null) {
                return new Answer.Invalid("malformed scope; expected type:name:actions");
            }
            ResourceActions allowed = grant(caller, wanted);
            if (allowed != null) {
                granted.add(allowed);
            }
        }
        Instant now = clock.instant();
        String token = issuer.issue(caller.anonymous() ? "" : caller.name(), service, granted);
        return new Answer.Issued(caller, token, issuer.expiration(), now);
    }

    private static List<String> split(List<String> scopes) {
        List<String> split = new ArrayList<>();
        for (String parameter : scopes) {
            for (String scope : parameter.trim().split(" +")) {
                if (!scope.isEmpty()) {
                    split.add(scope);
                }
            }
        }
        return split;
    }

    /** {@code type[(class)]:name:actions}; the name may hold colons (a registry host with a port). */
    private static ResourceActions parse(String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first <= 0 || last == first) {
            return null;
        }
        String type = scope.substring(0, first);
        int paren = type.indexOf('(');
        if (paren > 0 && type.endsWith(")")) {
            type = type.substring(0, paren);
        }
        List<String> actions = List.of(scope.substring(last + 1).split(","));
        return new ResourceActions(type, scope.substring(first + 1, last), actions);
    }

    /** The part of {@code wanted} the rules give {@code caller}, or null for none. */
    private ResourceActions grant(Caller caller, ResourceActions wanted) {
        if (wanted.type().equals(Access.REGISTRY)) {
            boolean catalog = wanted.name().equals(Access.CATALOG.name()) && wanted.actions().contains(Access.CATALOG.action());
            return catalog && rules.allows(caller, Access.CATALOG) ? new ResourceActions(Access.REGISTRY, wanted.name(), List.of("*")) : null;
        }
        if (!wanted.type().equals(Access.REPOSITORY)) {
            return null;
        }
        RepositoryName name;
        try {
            name = RepositoryName.parse(wanted.name());
        } catch (RegistryException e) {
            return null;
        }
        Set<String> actions = new LinkedHashSet<>();
        for (String action : wanted.actions()) {
            for (String one : action.equals(AccessRules.ANY) ? REPOSITORY_ACTIONS : List.of(action)) {
                if (REPOSITORY_ACTIONS.contains(one) && rules.allows(caller, new Access(Access.REPOSITORY, name.value(), one))) {
                    actions.add(one);
                }
            }
        }
        return actions.isEmpty() ? null : new ResourceActions(Access.REPOSITORY, name.value(), List.copyOf(actions));
    }
}
