package io.berth.auth.token;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.berth.crypto.Pem;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.Issued;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An external token server for tests, as docker_auth would be: Docker's token endpoint on
 * loopback, signing ES256 tokens with keys the test generates, for users it knows by password.
 * A signed-in user gets every scope asked for; anonymous gets none. It holds three signers:
 * a certificate of the root bundle (found by its libtrust kid; the endpoint's tokens use it), a
 * leaf of the bundle's CA that travels in {@code x5c}, and a key of a JWKS file (found by its JWKS kid).
 */
public final class TestTokenServer implements AutoCloseable {

    /** How a token names its key. */
    public enum Signer { KID, X5C, JWKS }

    public static final String JWKS_KID = "test-jwks-key-1";
    private static final String P1363 = "SHA256withECDSAinP1363Format";

    private final String service;
    private final String issuer;
    private final Map<String, String> users;
    private final Issued kidSigner;
    private final Issued x5cSigner;
    private final KeyPair jwksKeys;
    private final Path bundle;
    private final Path jwks;
    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicLong issued = new java.util.concurrent.atomic.AtomicLong();

    private TestTokenServer(Path dir, String service, String issuer, Map<String, String> users) throws Exception {
        this.service = service;
        this.issuer = issuer;
        this.users = Map.copyOf(users);
        TestCertificates authority = TestCertificates.authority(dir.resolve("token-ca"), "EC", "token CA");
        kidSigner = authority.client("kid-signer");
        x5cSigner = authority.client("x5c-signer");
        // The kid signer's certificate file holds it and then its CA: the bundle trusts both.
        bundle = kidSigner.certificateFile();
        jwksKeys = Forge.keyPair("secp256r1");
        jwks = Forge.jwks(dir, "jwks.json", Forge.jwk(jwksKeys.getPublic(), JWKS_KID));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/token", this::answer);
        server.start();
    }

    /** Starts one on a free loopback port; {@code users} maps names to passwords. */
    public static TestTokenServer start(Path dir, String service, String issuer, Map<String, String> users) throws Exception {
        return new TestTokenServer(dir, service, issuer, users);
    }

    /** How many tokens the realm has issued. */
    public long issued() {
        return issued.get();
    }

    /** The realm: where clients ask for tokens. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The root certificate bundle Berth is to trust ({@code auth.token.rootcertbundle}). */
    public Path bundle() {
        return bundle;
    }

    /** The JWKS file Berth is to trust ({@code auth.token.jwks}). */
    public Path jwks() {
        return jwks;
    }

    /** Claims for {@code subject} granting {@code access} (type, name, actions...), valid five minutes from now. */
    public Map<String, Object> claims(String subject, List<Map<String, Object>> access) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", service);
        claims.put("exp", now + 300);
        claims.put("nbf", now);
        claims.put("iat", now);
        claims.put("jti", Long.toHexString(System.nanoTime()));
        claims.put("access", access);
        return claims;
    }

    /** One entry of an access claim. */
    public static Map<String, Object> access(String type, String name, String... actions) {
        return Map.of("type", type, "name", name, "actions", List.of(actions));
    }

    /** The header of a token signed by {@code how}. */
    public Map<String, Object> header(Signer how) {
        return switch (how) {
            case KID -> Forge.header("ES256", LibtrustKeyId.of(kidSigner.keys().getPublic()));
            case JWKS -> Forge.header("ES256", JWKS_KID);
            case X5C -> Forge.with(Forge.header("ES256", null), "x5c", List.of(der(x5cSigner.certificate()), der(caOf(kidSigner))));
        };
    }

    /** A token of {@code claims} signed by {@code how}'s key. */
    public String token(Signer how, Map<String, Object> claims) throws GeneralSecurityException {
        return Forge.token(header(how), claims, privateKey(how), P1363);
    }

    /** A token of the given header and claims signed with {@code key} (an EC P-256 key), for forgeries. */
    public static String sign(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) throws GeneralSecurityException {
        return Forge.token(header, claims, key, P1363);
    }

    /** Standard base64 DER, as x5c holds certificates. */
    public static String der(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private PrivateKey privateKey(Signer how) {
        return switch (how) {
            case KID -> kidSigner.keys().getPrivate();
            case X5C -> x5cSigner.keys().getPrivate();
            case JWKS -> jwksKeys.getPrivate();
        };
    }

    private static X509Certificate caOf(Issued issued) {
        try {
            // The certificate file holds the leaf, then its CA.
            return Pem.certificates(issued.certificateFile()).get(1);
        } catch (IOException | Pem.PemException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
            if (!List.of(service).equals(query.get("service"))) {
                reply(exchange, 400, "{\"error\":\"unknown service\"}");
                return;
            }
            String user = user(exchange.getRequestHeaders().getFirst("Authorization"));
            if (user == null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test token server\"");
                reply(exchange, 401, "{\"error\":\"bad credentials\"}");
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : query.getOrDefault("scope", List.of())) {
                for (String one : scope.split(" ")) {
                    String[] parts = one.split(":");
                    if (!user.isEmpty() && parts.length == 3) {
                        access.add(access(parts[0], parts[1], parts[2].split(",")));
                    }
                }
            }
            String token = token(Signer.KID, claims(user, access));
            issued.incrementAndGet();
            reply(exchange, 200, Forge.json(Map.of("token", token, "access_token", token, "expires_in", 300,
                    "issued_at", Instant.now().toString())));
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** The Basic user when the password matches, "" without credentials, null for bad ones. */
    private String user(String authorization) {
        if (authorization == null) {
            return "";
        }
        if (!authorization.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        if (name.isEmpty() && password.isEmpty()) {
            return "";
        }
        return password.equals(users.get(name)) ? name : null;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
