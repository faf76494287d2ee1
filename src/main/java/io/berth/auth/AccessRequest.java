package io.berth.auth;

import java.util.List;

/**
 * Everything one request needs to be allowed: usually one {@link Access}; a cross-repository mount
 * needs two; the base endpoint none, only a valid sign-in.
 */
public record AccessRequest(List<Access> needed) {

    /** {@code /v2/}: nothing but who the caller is. */
    public static final AccessRequest SIGN_IN = new AccessRequest(List.of());

    public static AccessRequest of(Access... needed) {
        return new AccessRequest(List.of(needed));
    }
}
