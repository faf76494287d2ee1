package io.berth.auth.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Verifies compact JWS bearer tokens as Distribution does. */
public final class TokenVerifier {

    /** Longer x5c chains are refused; real ones hold a leaf and an intermediate or two. */
    private static final int MAX_CHAIN = 8;
    /** The verified-token cache holds tokens of at most this many characters in all (claims are smaller than their tokens). */
    private static final long CACHE_CHARACTERS = 4L << 20;
    /** Cloned per token: MessageDigest.getInstance costs about as much as hashing the token. */
    private static final MessageDigest SHA256 = sha256Prototype();

    private final TrustedKeys keys;
    private final String issuer;
    private final String service;
    private final Set<Algorithm> accepted;
    private final Clock clock;
    private final Duration leeway;
    /**
     * Tokens verified lately, by their SHA-256: a client sends one token with every request of a
     * pull or push, and an ECDSA or EdDSA verification costs the JDK more than a metadata request.
     * A token found here has its times checked again; it is never trusted past its certificates.
     */
    private final Cache<String, Verified> verified = Caffeine.newBuilder()
            .maximumWeight(CACHE_CHARACTERS).weigher((String digest, Verified entry) -> entry.weight()).build();

    /** A verified token's claims, how long its signer's certificates last, and its length as its weight in the cache. */
    private record Verified(Claims claims, Instant certifiedUntil, int weight) {}

    /** A token's signing key; {@code certifiedUntil} is when the first of its x5c certificates expires (never, for a kid). */
    private record Signer(PublicKey key, Instant certifiedUntil) {}

    /**
     * algorithms: the accepted "alg" values (null = all supported asymmetric ones: RS256/384/512,
     * PS256/384/512, ES256/384/512, EdDSA). leeway applies to exp and nbf. An algorithm Berth does
     * not support (HS256, none, ...) is an IllegalArgumentException naming it.
     */
    public TokenVerifier(TrustedKeys keys, String issuer, String service, Set<String> algorithms, Clock clock, Duration leeway) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leeway = Objects.requireNonNull(leeway, "leeway");
        this.accepted = algorithms == null ? EnumSet.allOf(Algorithm.class) : EnumSet.noneOf(Algorithm.class);
        for (String name : algorithms == null ? Set.<String>of() : algorithms) {
            Algorithm algorithm = Algorithm.named(name);
            if (algorithm == null) {
                throw new IllegalArgumentException("unsupported token signing algorithm \"" + name + "\"; Berth verifies "
                        + EnumSet.allOf(Algorithm.class));
            }
            accepted.add(algorithm);
        }
    }

    public Claims verify(String token) throws InvalidTokenException {
        try {
            String digest = token == null || token.length() > Jws.MAX_LENGTH ? null : sha256(token);
            Verified earlier = digest == null ? null : verified.getIfPresent(digest);
            if (earlier != null && !clock.instant().isAfter(earlier.certifiedUntil())) {
                checkClaims(earlier.claims());
                return earlier.claims();
            }
            Verified fresh = check(token);
            verified.put(digest, fresh);
            return fresh.claims();
        } catch (RuntimeException e) {
            // A safety net: whatever a crafted token makes a parser throw is a refusal, never a server error.
            throw new InvalidTokenException("malformed token");
        }
    }

    private Verified check(String token) throws InvalidTokenException {
        Jws.Parsed jws = Jws.parse(token);
        Algorithm algorithm = algorithm(jws.header());
        Signer signer = signer(jws.header());
        if (!algorithm.fits(signer.key())) {
            throw new InvalidTokenException("the signing key is not a key for " + algorithm);
        }
        if (!verifies(algorithm, signer.key(), jws)) {
            throw new InvalidTokenException("signature does not verify");
        }
        Claims claims = ClaimsJson.read(Jws.object(jws.payload(), "claims"));
        checkClaims(claims);
        return new Verified(claims, signer.certifiedUntil(), token.length());
    }

    private Algorithm algorithm(ObjectNode header) throws InvalidTokenException {
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual()) {
            throw new InvalidTokenException("token header has no algorithm");
        }
        String name = alg.asText();
        if (name.equalsIgnoreCase("none")) {
            throw new InvalidTokenException("algorithm none is not accepted");
        }
        Algorithm algorithm = Algorithm.named(name);
        if (algorithm == null || !accepted.contains(algorithm)) {
            // The name is the client's: repeated only when it is short and plain.
            String shown = name.matches("[A-Za-z0-9+_-]{1,16}") ? name : "of the token";
            throw new InvalidTokenException("algorithm " + shown + " is not accepted");
        }
        if (header.has("crit")) {
            throw new InvalidTokenException("critical header parameters are not supported");
        }
        return algorithm;
    }

    /** The key of an x5c chain to a trusted root, else the trusted key the kid names. */
    private Signer signer(ObjectNode header) throws InvalidTokenException {
        JsonNode x5c = header.get("x5c");
        if (x5c != null) {
            List<X509Certificate> chain = chain(x5c);
            PublicKey key = keys.certifiedKey(chain, clock.instant());
            return new Signer(key, chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow());
        }
        JsonNode kid = header.get("kid");
        // An embedded jwk is never trusted for itself; as in Distribution, its kid may name a trusted key.
        if (kid == null && header.get("jwk") instanceof ObjectNode jwk) {
            kid = jwk.get("kid");
        }
        if (kid == null || !kid.isTextual()) {
            throw new InvalidTokenException("token names no signing key (no kid or x5c)");
        }
        PublicKey key = keys.byKid(kid.asText());
        if (key == null) {
            throw new InvalidTokenException("unknown signing key");
        }
        return new Signer(key, Instant.MAX);
    }

    private static List<X509Certificate> chain(JsonNode x5c) throws InvalidTokenException {
        if (!x5c.isArray() || x5c.isEmpty() || x5c.size() > MAX_CHAIN) {
            throw new InvalidTokenException("malformed token: x5c must be an array of 1 to " + MAX_CHAIN + " certificates");
        }
        List<X509Certificate> chain = new ArrayList<>(x5c.size());
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (JsonNode certificate : x5c) {
                if (!certificate.isTextual()) {
                    throw new IllegalArgumentException("not a string");
                }
                // x5c holds standard base64 DER, not base64url (RFC 7515, 4.1.6).
                byte[] der = Base64.getDecoder().decode(certificate.asText());
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new InvalidTokenException("malformed token: x5c holds something that is not a certificate");
        }
        return chain;
    }

    private static MessageDigest sha256Prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String sha256(String token) {
        try {
            return Jws.encode(((MessageDigest) SHA256.clone()).digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be cloned", e);
        }
    }

    private static boolean verifies(Algorithm algorithm, PublicKey key, Jws.Parsed jws) {
        try {
            return algorithm.verify(key, jws.signingInput(), jws.signature());
        } catch (GeneralSecurityException e) {
            return false; // e.g. an ECDSA signature of the wrong length
        }
    }

    private void checkClaims(Claims claims) throws InvalidTokenException {
        Instant now = clock.instant();
        if (!issuer.equals(claims.issuer())) {
            throw new InvalidTokenException("token issuer is not trusted");
        }
        if (!claims.audience().contains(service)) {
            throw new InvalidTokenException("token audience does not include the service");
        }
        if (claims.expiry() == null) {
            throw new InvalidTokenException("token has no expiry");
        }
        if (now.minus(leeway).isAfter(claims.expiry())) {
            throw new InvalidTokenException("token expired");
        }
        if (claims.notBefore() != null && now.plus(leeway).isBefore(claims.notBefore())) {
            throw new InvalidTokenException("token is not valid yet");
        }
    }
}
