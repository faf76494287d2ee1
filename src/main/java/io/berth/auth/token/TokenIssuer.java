package io.berth.auth.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Signs tokens the way Distribution's token servers (docker_auth) do. */
public final class TokenIssuer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKey key;
    private final String issuer;
    private final Clock clock;
    private final Duration expiration;

    public TokenIssuer(SigningKey key, String issuer, Clock clock, Duration expiration) {
        this.key = Objects.requireNonNull(key, "key");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.expiration = Objects.requireNonNull(expiration, "expiration");
    }

    /** A compact JWS: header {typ:JWT, alg, kid}; claims iss, sub (empty for anonymous), aud, exp, nbf, iat, jti (random), access. */
    public String issue(String subject, String audience, List<ResourceActions> access) {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Claims claims = new Claims(issuer, subject == null ? "" : subject, List.of(audience), now.plus(expiration),
                now, now, Jws.encode(id), access);
        ObjectNode header = Jws.JSON.createObjectNode().put("typ", "JWT").put("alg", key.algorithm()).put("kid", key.keyId());
        return Jws.sign(header, ClaimsJson.write(claims), key);
    }

    public Duration expiration() {
        return expiration;
    }
}
