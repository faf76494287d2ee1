package io.berth.auth;

import java.time.Duration;

/** What the authoriser made of one request. */
public sealed interface Decision {

    /** Go on, as this caller with these grants. */
    record Allowed(Caller caller, Grants grants) implements Decision {}

    /** 401: no credentials, bad ones, or (for tokens) a token without the scope; {@code challenge} is the WWW-Authenticate value. */
    record Unauthorized(String challenge, String message) implements Decision {}

    /** 403: a signed-in caller that may not do this. */
    record Forbidden(Caller caller, String message) implements Decision {}

    /** 429: too many failed sign-ins of this user from this address lately. */
    record Throttled(String user, Duration retryAfter) implements Decision {}
}
