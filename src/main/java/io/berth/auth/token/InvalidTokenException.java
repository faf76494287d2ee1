package io.berth.auth.token;

/** Why a token was refused; the message is safe to show a client (no stack, no key material). */
public final class InvalidTokenException extends Exception {

    public InvalidTokenException(String message) {
        // No stack trace: refusals are routine and their cause is all in the message.
        super(message, null, false, false);
    }
}
