package io.berth.auth.token;

import java.time.Instant;
import java.util.List;

/**
 * A verified token's claims. {@code subject} is empty for an anonymous token; {@code notBefore},
 * {@code issuedAt} and {@code id} are null when the token leaves them out; {@code access} is
 * empty when it grants nothing.
 */
public record Claims(String issuer, String subject, List<String> audience, Instant expiry, Instant notBefore,
        Instant issuedAt, String id, List<ResourceActions> access) {

    public Claims {
        audience = List.copyOf(audience);
        access = List.copyOf(access);
    }
}
