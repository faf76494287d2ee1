package io.berth.http;

import io.berth.auth.Credentials;
import io.berth.auth.TokenServer;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.Request;

/** {@code GET /auth/token}: the Docker token endpoint of the built-in token server. */
final class TokenHandler {

    private final TokenServer server;

    TokenHandler(TokenServer server) {
        this.server = server;
    }

    /** A locked sign-in, for the registry's API and the token endpoint alike: the router answers it 429 with Retry-After. */
    static RegistryException throttled(Duration retryAfter) {
        return new RegistryException(new RegistryError.TooManyRequests(
                "too many failed sign-ins of this user from this address; retry later", retryAfter));
    }

    void token(Exchange ex, Request request, Credentials credentials) throws IOException {
        // Tokens are credentials: no cache between the client and here may keep one.
        ex.header("Cache-Control", "no-store");
        switch (server.issue(credentials, ex.query("service"), ex.queryValues("scope"))) {
            case TokenServer.Answer.Issued issued -> {
                ObservingHandler.signedIn(request, issued.caller().actor());
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("token", issued.token());
                body.put("access_token", issued.token());
                body.put("expires_in", issued.expiresIn().toSeconds());
                body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(issued.issuedAt().truncatedTo(ChronoUnit.SECONDS)));
                ex.sendJson(200, body);
            }
            case TokenServer.Answer.Unauthorized refused -> {
                ex.header("WWW-Authenticate", refused.challenge());
                ex.sendError(new ApiError(ErrorCode.UNAUTHORIZED, refused.message()));
            }
            case TokenServer.Answer.Throttled throttled -> throw throttled(throttled.retryAfter());
            case TokenServer.Answer.Invalid invalid -> ex.sendError(new ApiError(ErrorCode.BAD_REQUEST, invalid.message()));
        }
    }
}
