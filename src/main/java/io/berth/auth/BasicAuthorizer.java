package io.berth.auth;

/** {@code auth.htpasswd}: HTTP Basic sign-in, then the access rules. */
public final class BasicAuthorizer implements Authorizer {

    private final BasicSignIn signIn;
    private final AccessRules rules;
    private final String challenge;

    public BasicAuthorizer(BasicSignIn signIn, AccessRules rules, String realm) {
        this.signIn = signIn;
        this.rules = rules;
        this.challenge = "Basic realm=" + Challenges.quoted(realm);
    }

    @Override
    public Decision decide(Credentials credentials, AccessRequest request) {
        Caller caller;
        switch (signIn.check(credentials.authorization(), credentials.address())) {
            case BasicSignIn.Outcome.Anonymous a -> caller = Caller.ANONYMOUS;
            case BasicSignIn.Outcome.SignedIn s -> caller = s.caller();
            case BasicSignIn.Outcome.Failed f -> {
                return new Decision.Unauthorized(challenge, f.message());
            }
            case BasicSignIn.Outcome.Throttled t -> {
                return new Decision.Throttled(t.user(), t.retryAfter());
            }
        }
        if (caller.anonymous() && request.needed().isEmpty()) {
            // The base endpoint is how clients learn that they should sign in (docker login asks it).
            return new Decision.Unauthorized(challenge, "authentication required");
        }
        for (Access access : request.needed()) {
            if (!rules.allows(caller, access)) {
                return caller.anonymous()
                        ? new Decision.Unauthorized(challenge, "authentication required")
                        : new Decision.Forbidden(caller, "user " + caller.name() + " may not " + access.action() + " " + access.name());
            }
        }
        return new Decision.Allowed(caller, rules.grants(caller));
    }
}
