package io.berth.auth;

import io.berth.auth.token.Claims;
import io.berth.auth.token.InvalidTokenException;
import io.berth.auth.token.ResourceActions;
import io.berth.auth.token.TokenVerifier;
import io.berth.registry.RepositoryName;

/**
 * {@code auth.token}, and the built-in token server's tokens: a bearer JWT is verified (the
 * verifier remembers tokens it has verified, so a client sending one on every request pays the
 * signature check once), then each access the request needs must be in its {@code access} claim.
 */
public final class BearerAuthorizer implements Authorizer {

    /** Longest header taken apart; the verifier bounds the token itself too. */
    private static final int MAX_HEADER = 16 * 1024;

    private final TokenVerifier verifier;
    private final Realm realm;
    private final String service;
    private final AccessRules rules;

    /** Where clients get tokens: a configured URL, or a path under the origin the client reached this registry at. */
    public record Realm(String url, String path) {
        String at(String origin) {
            return url != null && !url.isEmpty() ? url : origin + path;
        }
    }

    /** {@code rules} decide only what the catalog lists; the token decides everything else. */
    public BearerAuthorizer(TokenVerifier verifier, Realm realm, String service, AccessRules rules) {
        this.verifier = verifier;
        this.realm = realm;
        this.service = service;
        this.rules = rules;
    }

    @Override
    public Decision decide(Credentials credentials, AccessRequest request) {
        String authorization = credentials.authorization();
        if (authorization == null || authorization.length() > MAX_HEADER || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Decision.Unauthorized(challenge(credentials, request, null), "authentication required");
        }
        Claims claims;
        try {
            claims = verifier.verify(authorization.substring(7).trim());
        } catch (InvalidTokenException e) {
            return new Decision.Unauthorized(challenge(credentials, request, "invalid_token"), "invalid token: " + e.getMessage());
        }
        Caller caller = claims.subject() == null || claims.subject().isEmpty() ? Caller.ANONYMOUS : new Caller(claims.subject());
        for (Access access : request.needed()) {
            if (!granted(claims, access)) {
                return new Decision.Unauthorized(challenge(credentials, request, "insufficient_scope"),
                        "the token does not grant " + access);
            }
        }
        return new Decision.Allowed(caller, new Grants() {
            @Override
            public boolean allows(Access access) {
                return granted(claims, access);
            }

            @Override
            public boolean lists(RepositoryName name) {
                return rules.lists(caller, name);
            }
        });
    }

    private static boolean granted(Claims claims, Access access) {
        for (ResourceActions entry : claims.access()) {
            if (entry.type().equals(access.type()) && entry.name().equals(access.name())
                    && (entry.actions().contains(access.action()) || entry.actions().contains(AccessRules.ANY))) {
                return true;
            }
        }
        return false;
    }

    private String challenge(Credentials credentials, AccessRequest request, String error) {
        StringBuilder challenge = new StringBuilder("Bearer realm=").append(Challenges.quoted(realm.at(credentials.origin().get())))
                .append(",service=").append(Challenges.quoted(service));
        if (!request.needed().isEmpty()) {
            challenge.append(",scope=").append(Challenges.quoted(Challenges.scope(request)));
        }
        if (error != null) {
            challenge.append(",error=").append(Challenges.quoted(error));
        }
        return challenge.toString();
    }
}
