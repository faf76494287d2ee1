package io.berth.auth;

import io.berth.auth.htpasswd.Htpasswd;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Signs a caller in from an {@code Authorization: Basic} header against the htpasswd file, with
 * repeated failures of one user from one address slowed and then refused.
 */
public final class BasicSignIn {

    /** Longest header taken apart; Jetty bounds headers anyway, this bounds the work on one. */
    private static final int MAX_HEADER = 4096;

    /** What a sign-in came to. */
    public sealed interface Outcome {
        /** No credentials, or empty ones (as skopeo sends when it has none): anonymous. */
        record Anonymous() implements Outcome {}

        record SignedIn(Caller caller) implements Outcome {}

        /** Bad credentials or a malformed header; the answer has been held back as long as the throttle asked. */
        record Failed(String message) implements Outcome {}

        record Throttled(String user, Duration retryAfter) implements Outcome {}
    }

    private final Htpasswd users;
    private final SignInThrottle throttle;

    public BasicSignIn(Htpasswd users, SignInThrottle throttle) {
        this.users = users;
        this.throttle = throttle;
    }

    /** Judges an {@code Authorization} header (null when absent) sent from {@code address}. */
    public Outcome check(String authorization, String address) {
        if (authorization == null) {
            return new Outcome.Anonymous();
        }
        if (authorization.length() > MAX_HEADER || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Outcome.Failed("credentials must be sent as HTTP Basic authentication");
        }
        String pair = decode(authorization.substring(6).trim());
        int colon = pair == null ? -1 : pair.indexOf(':');
        if (colon < 0) {
            return new Outcome.Failed("malformed Basic credentials");
        }
        String user = pair.substring(0, colon);
        String password = pair.substring(colon + 1);
        if (user.isEmpty() && password.isEmpty()) {
            return new Outcome.Anonymous();
        }
        Duration locked = throttle.lockedFor(user, address);
        if (locked != null) {
            return new Outcome.Throttled(user, locked);
        }
        if (users.verify(user, password)) {
            throttle.succeeded(user, address);
            return new Outcome.SignedIn(new Caller(user));
        }
        Duration delay = throttle.failed(user, address);
        Duration lockedNow = throttle.lockedFor(user, address);
        if (lockedNow != null) {
            // This failure locked the pair (or raced a lock): answered as the lock, at once, like every attempt until it ends.
            return new Outcome.Throttled(user, lockedNow);
        }
        hold(delay);
        return new Outcome.Failed("invalid user name or password");
    }

    /** The decoded {@code user:password}, or null when it is not base64 of UTF-8 text. */
    private static String decode(String base64) {
        try {
            byte[] bytes = Base64.getDecoder().decode(base64);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }

    /** Slows a failed attempt down; this request's virtual thread is all it holds. */
    private static void hold(Duration delay) {
        if (delay.isPositive()) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
