package io.berth.auth;

/** Judges each request's access request before any handler runs. */
public interface Authorizer {

    /** No authentication: everyone may do everything, as Distribution without an {@code auth} section. */
    Authorizer OPEN = (credentials, request) -> new Decision.Allowed(Caller.ANONYMOUS, Grants.ALL);

    Decision decide(Credentials credentials, AccessRequest request);
}
