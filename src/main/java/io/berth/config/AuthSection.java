package io.berth.config;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the {@code auth} section: Distribution's {@code htpasswd} and {@code token} providers, and Berth's
 * own {@code tokenserver} and {@code access} rules. The files it names are checked when the server starts
 * ({@link Config.Auth#checkFiles}), their contents by the auth code.
 */
final class AuthSection {

    /** What may be written under {@code auth}. */
    static final List<String> NAMES = List.of("htpasswd", "token", "silly", "tokenserver", "access");
    /** The names {@code REGISTRY_AUTH} chooses between, replacing the file's provider but not its token server or rules. */
    static final Set<String> PROVIDERS = Set.of("htpasswd", "token", "silly");

    /** The JOSE algorithms Berth verifies, in their canonical spelling; HMAC and none are refused. */
    private static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
            "ES512", "EdDSA");
    /** A token cannot be revoked, so its life is bounded. */
    private static final Duration LONGEST_TOKEN = Duration.ofHours(24);

    private AuthSection() {}

    /**
     * Refuses keys under {@code auth} that the schema cannot explain well: a provider Berth does not have,
     * or rules written as a section. Returns normally for every other key, which the schema then checks.
     */
    static void checkKey(Settings settings, String key) {
        String[] parts = key.split("\\.");
        if (parts.length < 2) {
            return;
        }
        if (!NAMES.contains(parts[1]) && Suggestions.closest(parts[1], NAMES) == null) {
            throw new ConfigException(settings.origin("auth." + parts[1]) + ": auth." + parts[1]
                    + ": not an auth provider of Berth's; they are htpasswd and token (with tokenserver and access)");
        }
        if (parts[1].equals("access") && parts.length > 2) {
            throw new ConfigException(settings.origin("auth.access") + ": auth.access: expected a list of rules, each"
                    + " \"- repositories: [...]\" with users and actions");
        }
    }

    static Config.Auth read(Values v) {
        if (v.settings.hasSection("auth.silly")) {
            throw v.error("auth.silly", "Distribution's silly provider is for its own tests and not supported; use htpasswd");
        }
        boolean tokenServer = v.bool("auth.tokenserver.enabled");
        Config.Htpasswd htpasswd = v.settings.hasSection("auth.htpasswd") ? htpasswd(v) : null;
        Config.Token token = v.settings.hasSection("auth.token") ? token(v, tokenServer) : null;
        if (htpasswd != null && token != null && !tokenServer) {
            throw v.error("auth.token", "Distribution allows one provider; Berth combines htpasswd and token only with"
                    + " its token server (auth.tokenserver.enabled: true)");
        }
        if (tokenServer && htpasswd == null) {
            throw v.error("auth.tokenserver.enabled", "the token server signs users in from the htpasswd file: set auth.htpasswd");
        }
        List<Config.AccessRule> access = AccessRules.read(v);
        if (!access.isEmpty() && htpasswd == null && token == null) {
            throw v.error("auth.access", "rules need a provider that signs users in: set auth.htpasswd or auth.token");
        }
        // A disabled token server's keys are checked all the same, so that enabling it later holds no surprise.
        Config.TokenServer server = v.settings.hasSection("auth.tokenserver") ? tokenServer(v, token) : null;
        return new Config.Auth(htpasswd, token, tokenServer ? server : null, access);
    }

    private static Config.Htpasswd htpasswd(Values v) {
        String realm = optional(v, "auth.htpasswd.realm");
        Path path = optionalPath(v, "auth.htpasswd.path");
        if (path == null) {
            throw missing(v, "auth.htpasswd.path", "the htpasswd file of users and their bcrypt hashes is required");
        }
        return new Config.Htpasswd(realm == null ? Schema.require("auth.htpasswd.realm").fallback() : realm, path);
    }

    /** With Berth's token server, realm and keys are optional: the server is the realm and verifies with its own key. */
    private static Config.Token token(Values v, boolean tokenServer) {
        String service = optional(v, "auth.token.service");
        if (service == null) {
            throw missing(v, "auth.token.service", "required: the audience tokens must be issued for");
        }
        String issuer = optional(v, "auth.token.issuer");
        if (issuer == null) {
            throw missing(v, "auth.token.issuer", "required: the issuer tokens must name");
        }
        boolean autoRedirect = v.bool("auth.token.autoredirect");
        String realm = url(v, "auth.token.realm");
        if (realm == null && !autoRedirect && !tokenServer) {
            throw missing(v, "auth.token.realm", "required (unless autoredirect is true): the URL clients get tokens from");
        }
        String redirectPath = v.text("auth.token.autoredirectpath");
        if (!redirectPath.startsWith("/")) {
            throw v.error("auth.token.autoredirectpath", "expected a path starting with /, got \"" + redirectPath + "\"");
        }
        Path bundle = optionalPath(v, "auth.token.rootcertbundle");
        Path jwks = optionalPath(v, "auth.token.jwks");
        if (bundle == null && jwks == null && !tokenServer) {
            throw missing(v, "auth.token.rootcertbundle", "tokens are verified with the certificates of rootcertbundle"
                    + " or the keys of jwks: set one or both");
        }
        return new Config.Token(realm, service, issuer, bundle, jwks, autoRedirect, redirectPath, signingAlgorithms(v));
    }

    private static List<String> signingAlgorithms(Values v) {
        String key = "auth.token.signingalgorithms";
        List<String> algorithms = new ArrayList<>();
        for (String given : v.list(key)) {
            String algorithm = ALGORITHMS.stream().filter(a -> a.equalsIgnoreCase(given.strip())).findFirst()
                    .orElseThrow(() -> v.error(key, refusal(given.strip())));
            if (!algorithms.contains(algorithm)) {
                algorithms.add(algorithm);
            }
        }
        return algorithms.isEmpty() ? ALGORITHMS : List.copyOf(algorithms);
    }

    private static String refusal(String algorithm) {
        String allowed = "; Berth verifies " + String.join(", ", ALGORITHMS);
        String upper = algorithm.toUpperCase(Locale.ROOT);
        if (upper.startsWith("HS")) {
            return algorithm + " is refused: an HMAC key verifies and signs alike, so every verifier could forge tokens" + allowed;
        }
        if (upper.equals("NONE")) {
            return "none is refused: it accepts unsigned tokens" + allowed;
        }
        return "unsupported signing algorithm \"" + algorithm + "\"" + allowed;
    }

    /** Realm, service and issuer default to those of {@code auth.token} when it is given. */
    private static Config.TokenServer tokenServer(Values v, Config.Token token) {
        Duration expiration = v.positiveDuration("auth.tokenserver.expiration");
        if (expiration.compareTo(LONGEST_TOKEN) > 0) {
            throw v.error("auth.tokenserver.expiration", "at most 24h: a token cannot be revoked before it expires");
        }
        String realm = url(v, "auth.tokenserver.realm");
        String service = optional(v, "auth.tokenserver.service");
        String issuer = optional(v, "auth.tokenserver.issuer");
        return new Config.TokenServer(v.bool("auth.tokenserver.enabled"), optionalPath(v, "auth.tokenserver.key"), expiration,
                realm != null || token == null ? realm : token.realm(),
                service != null ? service : token != null ? token.service() : "berth",
                issuer != null ? issuer : token != null ? token.issuer() : "berth");
    }

    /** An http or https URL with a host, or null when not set. */
    private static String url(Values v, String key) {
        String text = optional(v, key);
        if (text == null) {
            return null;
        }
        URI uri = v.uri(key, text);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw v.error(key, "expected an http or https URL such as https://auth.example.com/token, got \"" + text + "\"");
        }
        return text;
    }

    /** The text set, or null when it is not set or empty. */
    private static String optional(Values v, String key) {
        String text = v.get(key) == null ? null : v.text(key);
        return text == null || text.isBlank() ? null : text;
    }

    private static Path optionalPath(Values v, String key) {
        String text = optional(v, key);
        try {
            return text == null ? null : Path.of(text);
        } catch (InvalidPathException e) {
            throw v.error(key, "not a file path: " + e.getReason());
        }
    }

    /** A required key left out, named with where its section was set. */
    private static ConfigException missing(Values v, String key, String message) {
        String origin = v.settings.origin(key.substring(0, key.lastIndexOf('.')));
        return new ConfigException((origin == null ? "" : origin + ": ") + key + ": " + message);
    }
}
