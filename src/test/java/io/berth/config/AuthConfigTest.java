package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The {@code auth} section: its records and resolved defaults, its refusals naming the key, its files and rendering. */
class AuthConfigTest {

    private static final List<String> ALL_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
            "ES512", "EdDSA");
    /** A bcrypt hash as htpasswd -B writes it; it must never be printed. */
    private static final String HASH = "$2y$05$3OVmJQfWkHhCZ0qyT9cDbeu1.pk0t9Sna4mF4UP6lH1uOmyC2y8bi";

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("config.yml"), yaml);
    }

    private Config load(String yaml) throws IOException {
        return Config.load(file(yaml), Map.of());
    }

    @Test
    void withoutAnAuthSectionThereIsNoProviderAndNoRule() {
        assertThat(Config.load(null, Map.of()).auth()).isEqualTo(new Config.Auth(null, null, null, List.of()))
                .isEqualTo(Config.Auth.NONE);
    }

    @Test
    void aFullAuthSectionFillsTheRecordsWithDefaultsResolved() throws IOException {
        Config.Auth auth = load("""
                auth:
                  htpasswd:
                    path: /etc/berth/htpasswd
                  token:
                    realm: https://registry.example.com/auth/token
                    service: registry.example.com
                    issuer: auth.example.com
                    jwks: /etc/berth/jwks.json
                    signingalgorithms: [es256, EdDSA, ES256]
                  tokenserver:
                    enabled: true
                    key: /etc/berth/token-key.pem
                  access:
                    - repositories: ["public/**"]
                      users: [anonymous, "*"]
                      actions: [pull]
                    - repositories: [team-a/*, "**"]
                      users: alice
                      actions: ["*"]
                """).auth();
        assertThat(auth.htpasswd()).isEqualTo(new Config.Htpasswd("basic-realm", Path.of("/etc/berth/htpasswd")));
        assertThat(auth.token()).isEqualTo(new Config.Token("https://registry.example.com/auth/token", "registry.example.com",
                "auth.example.com", null, Path.of("/etc/berth/jwks.json"), false, "/auth/token", List.of("ES256", "EdDSA")));
        assertThat(auth.tokenServer()).as("realm, service and issuer are those of auth.token").isEqualTo(new Config.TokenServer(
                true, Path.of("/etc/berth/token-key.pem"), Duration.ofMinutes(5), "https://registry.example.com/auth/token",
                "registry.example.com", "auth.example.com"));
        assertThat(auth.access()).containsExactly(
                new Config.AccessRule(List.of("public/**"), List.of("anonymous", "*"), List.of("pull")),
                new Config.AccessRule(List.of("team-a/*", "**"), List.of("alice"), List.of("*")));
    }

    @Test
    void theTokenServerAloneIsBerthAndDerivesItsRealmFromEachRequest() throws IOException {
        Config.Auth auth = load("""
                auth:
                  htpasswd:
                    realm: Berth
                    path: /etc/berth/htpasswd
                  tokenserver:
                    enabled: true
                    expiration: 90s
                """).auth();
        assertThat(auth.htpasswd()).isEqualTo(new Config.Htpasswd("Berth", Path.of("/etc/berth/htpasswd")));
        assertThat(auth.token()).isNull();
        assertThat(auth.tokenServer()).isEqualTo(new Config.TokenServer(true, null, Duration.ofSeconds(90), null, "berth", "berth"));
        assertThat(auth.access()).isEmpty();

        Config.Auth off = load("auth:\n  htpasswd:\n    path: /h\n  tokenserver:\n    enabled: false\n    expiration: 1m\n").auth();
        assertThat(off.tokenServer()).as("a disabled token server is none").isNull();
    }

    @Test
    void anExternalTokenServerNeedsNoRealmWithAutoRedirectAndTakesEveryAllowedAlgorithmByDefault() throws IOException {
        Config.Token token = load("""
                auth:
                  token:
                    service: registry
                    issuer: docker_auth
                    rootcertbundle: /etc/berth/token-ca.pem
                    autoredirect: true
                """).auth().token();
        assertThat(token).isEqualTo(new Config.Token(null, "registry", "docker_auth", Path.of("/etc/berth/token-ca.pem"), null,
                true, "/auth/token", ALL_ALGORITHMS));
    }

    @Test
    void environmentVariablesSetAuthKeysAndRegistryAuthReplacesOnlyTheProvider() throws IOException {
        Config.Auth auth = Config.load(null, Map.of(
                "REGISTRY_AUTH_HTPASSWD_PATH", "/run/secrets/htpasswd",
                "REGISTRY_AUTH_HTPASSWD_REALM", "Registry",
                "REGISTRY_AUTH_TOKENSERVER_ENABLED", "true",
                "REGISTRY_AUTH_TOKENSERVER_EXPIRATION", "15m",
                "REGISTRY_AUTH_TOKENSERVER_REALM", "https://registry.example.com/auth/token",
                "REGISTRY_AUTH_ACCESS", "[{repositories: [\"ci/**\"], users: [builder], actions: [pull, push]}]")).auth();
        assertThat(auth.htpasswd()).isEqualTo(new Config.Htpasswd("Registry", Path.of("/run/secrets/htpasswd")));
        assertThat(auth.tokenServer()).isEqualTo(new Config.TokenServer(true, null, Duration.ofMinutes(15),
                "https://registry.example.com/auth/token", "berth", "berth"));
        assertThat(auth.access()).containsExactly(
                new Config.AccessRule(List.of("ci/**"), List.of("builder"), List.of("pull", "push")));

        Path file = file("""
                auth:
                  token:
                    realm: https://auth.example.com/token
                    service: registry
                    issuer: auth
                    jwks: /etc/jwks.json
                  access:
                    - {repositories: ["**"], users: ["*"], actions: [pull]}
                """);
        Config.Auth replaced = Config.load(file, Map.of("REGISTRY_AUTH", "htpasswd", "REGISTRY_AUTH_HTPASSWD_PATH", "/h")).auth();
        assertThat(replaced.token()).as("REGISTRY_AUTH names the one provider").isNull();
        assertThat(replaced.htpasswd()).isEqualTo(new Config.Htpasswd("basic-realm", Path.of("/h")));
        assertThat(replaced.access()).as("rules are no provider: they stay").hasSize(1);
    }

    @Test
    void providersBerthDoesNotHaveAndImpossibleCombinationsAreRefusedNamingTheKey() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("auth:\n  silly:\n    realm: r\n    service: s\n",
                "line 2: auth.silly: Distribution's silly provider is for its own tests and not supported; use htpasswd");
        cases.put("auth:\n  ldap:\n    url: ldap://x\n",
                "line 2: auth.ldap: not an auth provider of Berth's; they are htpasswd and token (with tokenserver and access)");
        cases.put("auth:\n  htpasswd:\n    pth: /h\n",
                "line 3: auth.htpasswd.pth: unknown configuration key; did you mean auth.htpasswd.path?");
        cases.put("auth:\n  tokenserver:\n    enabeld: true\n",
                "line 3: auth.tokenserver.enabeld: unknown configuration key; did you mean auth.tokenserver.enabled?");
        cases.put("auth: [htpasswd]\n", "line 1: auth: expected a section of keys, got \"[htpasswd]\"");
        cases.put("auth:\n  htpasswd: /etc/htpasswd\n",
                "line 2: auth.htpasswd: expected a section of keys, got \"/etc/htpasswd\"");
        cases.put("auth:\n  htpasswd:\n    path: /h\n  token:\n    realm: https://a.example/t\n    service: s\n    issuer: i\n"
                        + "    jwks: /j\n",
                "line 4: auth.token: Distribution allows one provider; Berth combines htpasswd and token only with"
                        + " its token server (auth.tokenserver.enabled: true)");
        cases.put("auth:\n  tokenserver:\n    enabled: true\n",
                "line 3: auth.tokenserver.enabled: the token server signs users in from the htpasswd file: set auth.htpasswd");
        cases.put("auth:\n  htpasswd:\n    realm: r\n",
                "line 2: auth.htpasswd.path: the htpasswd file of users and their bcrypt hashes is required");
        cases.put("auth:\n  access:\n    - {repositories: [a], users: [b], actions: [pull]}\n",
                "line 2: auth.access: rules need a provider that signs users in: set auth.htpasswd or auth.token");
        assertRefusals(cases);
    }

    @Test
    void anIncompleteOrUnsafeTokenSectionIsRefusedNamingTheKey() throws IOException {
        String base = "auth:\n  token:\n    realm: https://auth.example.com/token\n";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(base + "    issuer: i\n    jwks: /j\n", "line 2: auth.token.service: required: the audience tokens must be issued for");
        cases.put(base + "    service: s\n    jwks: /j\n", "line 2: auth.token.issuer: required: the issuer tokens must name");
        cases.put("auth:\n  token:\n    service: s\n    issuer: i\n    jwks: /j\n",
                "line 2: auth.token.realm: required (unless autoredirect is true): the URL clients get tokens from");
        cases.put(base + "    service: s\n    issuer: i\n", "line 2: auth.token.rootcertbundle: tokens are verified with the"
                + " certificates of rootcertbundle or the keys of jwks: set one or both");
        cases.put("auth:\n  token:\n    realm: auth.example.com/token\n    service: s\n    issuer: i\n    jwks: /j\n",
                "line 3: auth.token.realm: expected an http or https URL such as https://auth.example.com/token,"
                        + " got \"auth.example.com/token\"");
        cases.put(base + "    service: s\n    issuer: i\n    jwks: /j\n    autoredirect: true\n    autoredirectpath: auth/token\n",
                "line 8: auth.token.autoredirectpath: expected a path starting with /, got \"auth/token\"");
        String algorithms = base + "    service: s\n    issuer: i\n    jwks: /j\n    signingalgorithms: ";
        String allowed = "; Berth verifies RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA";
        cases.put(algorithms + "[RS256, HS256]\n", "line 7: auth.token.signingalgorithms: HS256 is refused: an HMAC key"
                + " verifies and signs alike, so every verifier could forge tokens" + allowed);
        cases.put(algorithms + "[none]\n", "line 7: auth.token.signingalgorithms: none is refused: it accepts unsigned tokens"
                + allowed);
        cases.put(algorithms + "[RS1]\n", "line 7: auth.token.signingalgorithms: unsupported signing algorithm \"RS1\""
                + allowed);
        assertRefusals(cases);
    }

    @Test
    void aBadTokenServerExpirationOrRealmIsRefusedNamingTheKey() throws IOException {
        String base = "auth:\n  htpasswd:\n    path: /h\n  tokenserver:\n    enabled: true\n";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(base + "    expiration: 0s\n", "line 6: auth.tokenserver.expiration: expected a duration above zero");
        cases.put(base + "    expiration: 48h\n",
                "line 6: auth.tokenserver.expiration: at most 24h: a token cannot be revoked before it expires");
        cases.put(base + "    expiration: soon\n",
                "line 6: auth.tokenserver.expiration: expected a duration such as 168h, 30m or 500ms, got \"soon\"");
        cases.put(base + "    realm: /auth/token\n", "line 6: auth.tokenserver.realm: expected an http or https URL such as"
                + " https://auth.example.com/token, got \"/auth/token\"");
        assertRefusals(cases);
    }

    @Test
    void accessRulesThatCouldNeverGrantAnythingAreRefusedNamingTheRule() throws IOException {
        String base = "auth:\n  htpasswd:\n    path: /h\n  access:\n";
        String rest = "      users: [alice]\n      actions: [pull]\n";
        String never = "line 4: auth.access: rule 1: repository ";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(base + "    - repositories: [Team/app]\n" + rest, never + "\"Team/app\" can never match: repository names are lower case");
        cases.put(base + "    - repositories: [\"team//app\"]\n" + rest,
                never + "\"team//app\" can never match: it has an empty path segment (a leading, trailing or double /)");
        cases.put(base + "    - repositories: [\"/team\"]\n" + rest,
                never + "\"/team\" can never match: it has an empty path segment (a leading, trailing or double /)");
        cases.put(base + "    - repositories: [\"a**b\"]\n" + rest, never + "\"a**b\" can never match: ** stands for whole"
                + " path segments only (team/**/app), not for part of one");
        cases.put(base + "    - repositories: [\"team/-*\"]\n" + rest, never + "\"team/-*\" can never match: \"-*\" is no name"
                + " component (lower-case letters and digits, separated by single ., _, __ or dashes)");
        cases.put(base + "    - repositories: [\"a._b\"]\n" + rest, never + "\"a._b\" can never match: \"a._b\" is no name"
                + " component (lower-case letters and digits, separated by single ., _, __ or dashes)");
        cases.put(base + "    - repositories: [\"" + "a/".repeat(128) + "*\"]\n" + rest,
                never + "\"" + "a/".repeat(128) + "*\" can never match: repository names are at most 255 characters");
        cases.put(base + "    - repositories: []\n" + rest, "line 4: auth.access: rule 1: repositories is empty, so the rule grants nothing");
        cases.put(base + "    - repositories: [a]\n      users: [alice]\n      actions: [pull, pul]\n",
                "line 4: auth.access: rule 1: unknown action \"pul\"; actions are pull, push, delete and *; did you mean pull?");
        cases.put(base + "    - repositories: [a]\n      users: [alice]\n      actions: [pull]\n    - repositories: [b]\n"
                + "      actions: [push]\n",
                "line 4: auth.access: rule 2 has no users; every rule needs repositories, users and actions");
        cases.put(base + "    - repositories: [a]\n      users: [{name: alice}]\n      actions: [pull]\n",
                "line 4: auth.access: rule 1: users: expected a list of names such as [a, b], got [{name=alice}]");
        cases.put(base + "    - repositories: [a]\n      user: [alice]\n      actions: [pull]\n",
                "line 4: auth.access: unknown key user in an entry; did you mean users?");
        cases.put(base + "    - [a, alice, pull]\n", "line 4: auth.access: expected a list of sections");
        cases.put(base + "    repositories: [a]\n    users: [alice]\n    actions: [pull]\n",
                "line 4: auth.access: expected a list of rules, each \"- repositories: [...]\" with users and actions");
        assertRefusals(cases);
        Config.Auth fine = load(base + "    - repositories: [\"*\", \"team-a/**/app_*\", \"a__b.c--d\", \"**/cache\"]\n" + rest).auth();
        assertThat(fine.access().getFirst().repositories()).containsExactly("*", "team-a/**/app_*", "a__b.c--d", "**/cache");
    }

    @Test
    void filesAreCheckedWhenTheServerStartsNotWhenTheConfigurationLoads() throws IOException {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + HASH + "\n");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
        Config.Auth auth = load("auth:\n  htpasswd:\n    path: " + htpasswd + "\n  token:\n    service: s\n    issuer: i\n"
                + "    jwks: " + jwks + "\n    rootcertbundle: " + dir.resolve("absent.pem") + "\n  tokenserver:\n"
                + "    enabled: true\n    key: " + dir + "\n").auth();
        assertThatThrownBy(auth::checkFiles).isInstanceOf(ConfigException.class)
                .hasMessage("auth.token.rootcertbundle: cannot read file " + dir.resolve("absent.pem") + " (no such file)");
        Config.Auth folderKey = new Config.Auth(auth.htpasswd(), null, auth.tokenServer(), List.of());
        assertThatThrownBy(folderKey::checkFiles).hasMessage("auth.tokenserver.key: cannot read file " + dir + " (a folder)");
        new Config.Auth(auth.htpasswd(), new Config.Token(null, "s", "i", null, jwks, false, "/auth/token", ALL_ALGORITHMS),
                null, List.of()).checkFiles();
    }

    @Test
    void configCheckRefusesAMissingFileAndPrintsTheSectionWithoutAnyFileContents() throws Exception {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + HASH + "\n");
        Path config = file("""
                auth:
                  htpasswd:
                    path: %s
                  tokenserver:
                    enabled: true
                  access:
                    - repositories: ["public/**"]
                      users: [anonymous]
                      actions: [pull]
                """.formatted(htpasswd));
        Cli.Result result = Cli.run(Map.of(), "config", "check", config.toString());
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout() + result.stderr()).doesNotContain(HASH, "alice");
        @SuppressWarnings("unchecked")
        Map<String, Object> auth = (Map<String, Object>) new Yaml().<Map<String, Object>>load(result.stdout()).get("auth");
        assertThat(auth).isEqualTo(Map.of(
                "htpasswd", Map.of("realm", "basic-realm", "path", htpasswd.toString()),
                "tokenserver", Map.of("enabled", true, "expiration", "5m"),
                "access", List.of(Map.of("repositories", List.of("public/**"), "users", List.of("anonymous"),
                        "actions", List.of("pull")))));

        Cli.Result missing = Cli.run(Map.of("REGISTRY_AUTH_HTPASSWD_PATH", dir.resolve("nobody").toString()),
                "config", "check", config.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("berth: auth.htpasswd.path: cannot read file " + dir.resolve("nobody")
                + " (no such file)");
    }

    private void assertRefusals(Map<String, String> cases) throws IOException {
        for (var c : cases.entrySet()) {
            Path file = file(c.getKey());
            assertThatThrownBy(() -> Config.load(file, Map.of())).as(c.getKey()).isInstanceOf(ConfigException.class)
                    .hasMessage(file + " " + c.getValue());
        }
    }
}
