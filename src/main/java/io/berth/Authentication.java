package io.berth;

import io.berth.auth.AccessRules;
import io.berth.auth.Authorizer;
import io.berth.auth.BasicAuthorizer;
import io.berth.auth.BasicSignIn;
import io.berth.auth.BearerAuthorizer;
import io.berth.auth.SignInThrottle;
import io.berth.auth.TokenServer;
import io.berth.auth.htpasswd.Htpasswd;
import io.berth.auth.token.SigningKey;
import io.berth.auth.token.TokenIssuer;
import io.berth.auth.token.TokenVerifier;
import io.berth.auth.token.TrustedKeys;
import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.http.RegistryServer;
import io.berth.storage.StoredSecret;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds what {@code auth} configures: the authoriser every request is judged by, and the built-in token server. */
final class Authentication {

    private static final Logger log = LoggerFactory.getLogger(Authentication.class);

    /** How far token times may be off between the token server's clock and ours, as Distribution allows. */
    static final Duration LEEWAY = Duration.ofSeconds(60);

    /** The authoriser, the token server when it is on and the htpasswd file when one is configured (else null). */
    record Built(Authorizer authorizer, TokenServer tokenServer, Htpasswd htpasswd, String mode) {}

    private Authentication() {}

    /** Reads the files {@code auth} names; one that is missing or unusable is a configuration error naming its key. */
    static Built build(Config.Auth auth, StorageDriver driver, boolean readOnly, Clock clock) throws IOException {
        if (auth.htpasswd() == null && auth.token() == null) {
            return new Built(Authorizer.OPEN, null, null, "none");
        }
        AccessRules rules = AccessRules.of(auth.access().stream()
                .map(rule -> new AccessRules.Rule(rule.repositories(), Set.copyOf(rule.users()), Set.copyOf(rule.actions())))
                .toList());
        Htpasswd users = auth.htpasswd() == null ? null : htpasswd(auth.htpasswd(), clock);
        BasicSignIn signIn = users == null ? null : new BasicSignIn(users, new SignInThrottle(clock));
        Config.TokenServer server = auth.tokenServer();
        if (server != null) {
            SigningKey key = signingKey(server, driver, readOnly);
            TrustedKeys trusted = (auth.token() == null ? TrustedKeys.none() : trustedKeys(auth.token())).with(key.publicKey());
            TokenVerifier verifier = new TokenVerifier(trusted, server.issuer(), server.service(), algorithms(auth.token()), clock, LEEWAY);
            TokenIssuer issuer = new TokenIssuer(key, server.issuer(), clock, server.expiration());
            BearerAuthorizer.Realm realm = new BearerAuthorizer.Realm(server.realm(), RegistryServer.TOKEN_PATH);
            return new Built(new BearerAuthorizer(verifier, realm, server.service(), rules),
                    new TokenServer(signIn, rules, issuer, server.service(), auth.htpasswd().realm(), clock), users,
                    "built-in token server (" + key.algorithm() + ")");
        }
        if (auth.token() != null) {
            Config.Token token = auth.token();
            TokenVerifier verifier = new TokenVerifier(trustedKeys(token), token.issuer(), token.service(), algorithms(token), clock, LEEWAY);
            BearerAuthorizer.Realm realm = new BearerAuthorizer.Realm(token.autoRedirect() ? null : token.realm(), token.autoRedirectPath());
            return new Built(new BearerAuthorizer(verifier, realm, token.service(), rules), null, users,
                    "bearer tokens of " + token.issuer());
        }
        return new Built(new BasicAuthorizer(signIn, rules, auth.htpasswd().realm()), null, users, "htpasswd");
    }

    private static Htpasswd htpasswd(Config.Htpasswd settings, Clock clock) {
        try {
            return Htpasswd.open(settings.path(), clock);
        } catch (IOException e) {
            throw new ConfigException("auth.htpasswd.path: " + e.getMessage());
        }
    }

    private static TrustedKeys trustedKeys(Config.Token token) {
        try {
            return TrustedKeys.load(token.rootCertBundle(), token.jwks());
        } catch (IOException e) {
            throw new ConfigException((token.jwks() != null && e.getMessage().contains(token.jwks().toString())
                    ? "auth.token.jwks: " : "auth.token.rootcertbundle: ") + e.getMessage());
        }
    }

    private static Set<String> algorithms(Config.Token token) {
        return token == null || token.signingAlgorithms().isEmpty() ? null : new HashSet<>(token.signingAlgorithms());
    }

    /** {@code auth.tokenserver.key}, else the key kept under the storage root's {@code _berth/}, made at the first start. */
    private static SigningKey signingKey(Config.TokenServer server, StorageDriver driver, boolean readOnly) throws IOException {
        try {
            if (server.key() != null) {
                return SigningKey.fromPem(java.nio.file.Files.readAllBytes(server.key()));
            }
        } catch (IOException e) {
            throw new ConfigException("auth.tokenserver.key: " + e.getMessage());
        }
        byte[] stored = StoredSecret.loadOrCreate(driver, StoredSecret.Kind.TOKEN_KEY, !readOnly, () -> SigningKey.generate().toPem());
        if (stored == null) {
            log.warn("auth.tokenserver.key is not set and the read-only registry has no key in storage: tokens are signed "
                    + "with a key made now, so they will not survive a restart nor work across replicas");
            return SigningKey.generate();
        }
        try {
            return SigningKey.fromPem(stored);
        } catch (IOException e) {
            throw new IOException("the token server's key kept in storage cannot be read: " + e.getMessage(), e);
        }
    }
}
