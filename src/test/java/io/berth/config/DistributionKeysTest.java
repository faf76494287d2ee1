package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.testing.Cli;
import io.berth.testing.ServerProcess;
import io.berth.testing.TestCertificates;
import io.berth.testing.TestCertificates.KeyForm;
import io.berth.testing.TestRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every key Distribution 2.8 and 3 document loads: the keys Berth acts on take effect, the others
 * are named in one warning and in {@code config check}; Debian's packaged configuration loads.
 */
class DistributionKeysTest {

    /** The keys of distribution-every-key.yml that Berth accepts without acting on them, as full paths, sorted. */
    private static final List<String> UNACTED = List.of(
            "catalog.maxentries",
            "compatibility.schema1.enabled", "compatibility.schema1.signingkeyfile",
            "health.file", "health.http", "health.tcp",
            "http.h2c.enabled", "http.relativeurls",
            "http.tls.ciphersuites", "http.tls.clientauth",
            "http.tls.letsencrypt.cachefile", "http.tls.letsencrypt.directoryurl", "http.tls.letsencrypt.email",
            "http.tls.letsencrypt.hosts",
            "log.hooks", "log.reportcaller", "loglevel",
            "middleware.registry", "middleware.repository", "middleware.storage",
            "proxy.cachewritetimeout", "proxy.exec.command", "proxy.exec.lifetime",
            "redis.clientname", "redis.connmaxidletime", "redis.connmaxlifetime", "redis.contexttimeoutenabled",
            "redis.disableidentity", "redis.identitysuffix", "redis.mastername", "redis.maxactiveconns",
            "redis.maxidleconns", "redis.maxredirects", "redis.maxretries", "redis.maxretrybackoff",
            "redis.minidleconns", "redis.minretrybackoff", "redis.pool.idletimeout", "redis.pool.maxactive",
            "redis.pool.maxidle", "redis.poolfifo", "redis.poolsize", "redis.pooltimeout", "redis.protocol",
            "redis.readonly", "redis.routebylatency", "redis.routerandomly", "redis.sentinelpassword",
            "redis.sentinelusername", "redis.tls.certificate", "redis.tls.key", "redis.tls.rootcas",
            "redis.unstableresp3", "redis.writetimeout",
            "reporting.bugsnag.apikey", "reporting.bugsnag.endpoint", "reporting.bugsnag.releasestage",
            "reporting.newrelic.licensekey", "reporting.newrelic.name", "reporting.newrelic.verbose",
            "storage.s3.accelerate", "storage.s3.keyid", "storage.s3.loglevel", "storage.s3.objectacl",
            "storage.s3.redirectendpoint", "storage.s3.usedualstack", "storage.s3.usefipsendpoint",
            "storage.s3.useragent", "storage.tag.concurrencylimit",
            "tags.maxtags",
            "validation.disabled", "validation.enabled", "validation.manifests.indexes.platformlist",
            "validation.manifests.indexes.platforms", "validation.manifests.urls.allow",
            "validation.manifests.urls.deny");

    /** Values in the file that must never be printed. */
    private static final List<String> SECRETS = List.of("hook-password", "test-secret-key", "every-key-http-secret",
            "notification-token", "redis-password", "sentinel-password", "proxy-password", "bugsnag-api-key",
            "newrelic-license-key", "dGVzdDp0ZXN0");

    private static final Path DEBIAN = Path.of("/etc/docker/registry/config.yml");

    @TempDir
    static Path dir;
    static Path everyKey;
    static Path caFile;

    @BeforeAll
    static void writeTheFileWithEveryKey() throws Exception {
        TestCertificates authority = TestCertificates.authority(dir.resolve("pki"), "RSA", "Every Key CA");
        TestCertificates.Issued server = authority.server(KeyForm.PKCS8);
        caFile = authority.caFile();
        String template;
        try (InputStream in = DistributionKeysTest.class.getResourceAsStream("/distribution-every-key.yml")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        everyKey = Files.writeString(dir.resolve("config.yml"), template
                .replace("@CERT@", server.certificateFile().toString())
                .replace("@KEY@", server.keyFile().toString())
                .replace("@CA@", caFile.toString()));
    }

    @Test
    void everyDocumentedKeyLoadsAndTheUnactedOnesAreNamedInOneWarning() {
        Config config = Config.load(everyKey, Map.of());
        assertThat(config.unacted()).containsExactlyElementsOf(UNACTED);
        assertThat(config.unactedWarning()).hasValue("accepted, not acted on: " + String.join(", ", UNACTED));

        Config.S3 s3 = config.storage().s3();
        assertThat(config.storage().driver()).isEqualTo("s3");
        assertThat(s3).isEqualTo(new Config.S3("eu-west-1", URI.create("http://127.0.0.1:9"), "every-key", "/every/key",
                "test-access-key", "test-secret-key", true, true, 6291456, 33554432, 50, 67108864, false, true, "STANDARD_IA",
                new Config.S3PartBuffers(0, null, 1L << 30, Duration.ofSeconds(2))));
        assertThat(config.storage().deleteEnabled()).isTrue();
        assertThat(config.storage().redirectDisabled()).isTrue();
        assertThat(config.storage().readOnly()).isFalse();
        assertThat(config.storage().cache()).isEqualTo(new Config.Cache("inmemory", 2000));
        assertThat(config.storage().uploadPurging())
                .isEqualTo(new Config.UploadPurging(true, Duration.ofHours(72), Duration.ofHours(12), true));
        assertThat(config.log()).isEqualTo(new Config.Log("info", "text", Map.of("service", "registry", "environment", "test"), false));

        Config.Http http = config.http();
        assertThat(http.address()).isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 0));
        assertThat(http.prefix()).isEqualTo("/every/key");
        assertThat(http.host()).isEqualTo("https://registry.example.test:5443");
        assertThat(http.secret()).isEqualTo("every-key-http-secret");
        assertThat(http.tls().clientCas()).containsExactly(caFile);
        assertThat(http.tls().minimumTls()).isEqualTo("tls1.3");
        assertThat(http.headers()).isEqualTo(Map.of("X-Content-Type-Options", List.of("nosniff")));
        assertThat(http.debug()).isEqualTo(new Config.Debug(InetSocketAddress.createUnresolved("127.0.0.1", 0), true, "/metrics"));
        assertThat(http.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(http.http2Disabled()).isFalse();

        assertThat(config.redis()).isEqualTo(new Config.Redis("127.0.0.1:6379", "registry", "redis-password", 1,
                Duration.ofSeconds(2), Duration.ofMillis(300), false));
        assertThat(config.health().storageDriver()).isEqualTo(new Config.StorageDriverCheck(true, Duration.ofSeconds(5), 2));
    }

    @Test
    void configCheckListsTheUnactedKeysAfterTheEffectiveConfigurationAndPrintsNoSecret() throws Exception {
        Cli.Result result = Cli.run(Map.of(), "config", "check", everyKey.toString());
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        String[] parts = result.stdout().split("# accepted, not acted on \\(Distribution's keys that Berth ignores\\):\n", 2);
        assertThat(parts).as(result.stdout()).hasSize(2);
        assertThat(parts[1].lines().map(line -> line.replaceFirst("^# {3}", ""))).containsExactlyElementsOf(UNACTED);
        assertThat(parts[0]).contains("bucket: every-key", "secretkey: '********'", "secret: '********'",
                "password: '********'", "blobdescriptorsize: 2000");
        for (String unacted : List.of("relativeurls:", "objectacl:", "concurrencylimit:", "letsencrypt:", "hooks:",
                "middleware:", "reporting:", "validation:", "proxy:", "poolsize:")) {
            assertThat(parts[0]).as("the effective configuration shows only keys in force").doesNotContain(unacted);
        }
        assertThat(result.stdout() + result.stderr()).doesNotContain(SECRETS);
    }

    @Test
    void serveLogsOneWarningNamingEveryUnactedKey() throws Exception {
        List<String> expected = Stream.concat(UNACTED.stream().filter(k -> !k.startsWith("storage.s3.")),
                Stream.of("storage.filesystem.maxthreads")).sorted().toList();
        // The environment swaps the bucket for a folder, as an operator's override would, and adds a filesystem key.
        ServerProcess server = ServerProcess.builder(dir.resolve("root")).env("REGISTRY_STORAGE", "filesystem")
                .env("REGISTRY_STORAGE_FILESYSTEM_MAXTHREADS", "100").arguments(everyKey.toString()).start();
        assertThat(server.terminate(30, TimeUnit.SECONDS)).as("exit status after SIGTERM").isZero();
        List<String> warnings = server.output().stream().filter(line -> line.contains("accepted, not acted on")).toList();
        assertThat(warnings).as(String.join("\n", server.output())).hasSize(1);
        // The list ends at the end of the line or where the line's log.fields begin.
        assertThat(warnings.getFirst()).matches(".*WARN  Main - "
                + Pattern.quote("accepted, not acted on: " + String.join(", ", expected)) + "( [a-z]+=.*)?");
        assertThat(String.join("\n", server.output())).doesNotContain(SECRETS);
    }

    @Test
    void authProviderKeysAreKnownAndTheUnsupportedOnesAreRefusedByName() throws Exception {
        Map<String, String> providers = Map.of(
                "silly", "realm: silly-realm\n    service: silly-service\n",
                "token", "realm: https://auth.example.test/token\n    service: registry\n    issuer: auth\n"
                        + "    rootcertbundle: /etc/token.crt\n    autoredirect: true\n    autoredirectpath: /auth/token\n"
                        + "    jwks: /etc/jwks.json\n    signingalgorithms: [EdDSA, HS256]\n",
                "htpasswd", "realm: basic-realm\n    path: /etc/htpasswd\n");
        Map<String, Path> files = new HashMap<>();
        for (var provider : providers.entrySet()) {
            files.put(provider.getKey(), Files.writeString(dir.resolve("auth-" + provider.getKey() + ".yml"),
                    "version: 0.1\nauth:\n  " + provider.getKey() + ":\n    " + provider.getValue()));
        }
        assertThatThrownBy(() -> Config.load(files.get("silly"), Map.of())).hasMessage(files.get("silly")
                + " line 3: auth.silly: Distribution's silly provider is for its own tests and not supported; use htpasswd");
        assertThatThrownBy(() -> Config.load(files.get("token"), Map.of())).hasMessageStartingWith(files.get("token")
                + " line 11: auth.token.signingalgorithms: HS256 is refused");
        Config.Token token = Config.load(files.get("token"), Map.of("REGISTRY_AUTH_TOKEN_SIGNINGALGORITHMS", "[EdDSA]")).auth().token();
        assertThat(token).isEqualTo(new Config.Token("https://auth.example.test/token", "registry", "auth", Path.of("/etc/token.crt"),
                Path.of("/etc/jwks.json"), true, "/auth/token", List.of("EdDSA")));
        assertThat(Config.load(files.get("htpasswd"), Map.of()).auth().htpasswd())
                .isEqualTo(new Config.Htpasswd("basic-realm", Path.of("/etc/htpasswd")));
        Path proxy = Files.writeString(dir.resolve("proxy.yml"), "proxy:\n  remoteurl: https://registry-1.docker.io\n"
                + "  username: u\n  password: p\n  ttl: 1h\n  cachewritetimeout: 5m\n  exec:\n    command: helper\n    lifetime: 1h\n");
        Config proxied = Config.load(proxy, Map.of());
        assertThat(proxied.proxy().remotes()).containsExactly(new Config.Remote(null, java.net.URI.create("https://registry-1.docker.io"),
                "u", "p", java.time.Duration.ofHours(1)));
        assertThat(proxied.unacted()).containsExactly("proxy.cachewritetimeout", "proxy.exec.command", "proxy.exec.lifetime");
    }

    @Test
    void debiansPackagedConfigurationLoadsWithItsHtpasswdAndIsRefusedAtStartForItsPathAlone() throws Exception {
        assertThat(DEBIAN).as("Debian's docker-registry package is installed (./test installs it)").isRegularFile();
        List<String> lines = Files.readAllLines(DEBIAN);
        List<String> withoutAuth = new ArrayList<>();
        boolean inAuth = false;
        for (String line : lines) {
            if (!line.isBlank() && !line.startsWith(" ") && !line.startsWith("#")) {
                inAuth = line.startsWith("auth:");
            }
            if (!inAuth) {
                withoutAuth.add(line);
            }
        }
        Config debian = Config.load(DEBIAN, Map.of());
        assertThat(debian.unacted()).isEmpty();
        if (withoutAuth.size() < lines.size()) {
            // As packaged: htpasswd with a realm and a path that names the configuration's folder, not a file.
            Path path = Path.of(valueOf(lines, "path"));
            assertThat(debian.auth().htpasswd()).isEqualTo(new Config.Htpasswd(valueOf(lines, "realm"), path));
            assertThat(Files.isRegularFile(path)).as("the packaged htpasswd path is no file, so serve stops before storage").isFalse();
            Cli.Result serve = Cli.run(Map.of(), "serve", DEBIAN.toString());
            assertThat(serve.exitCode()).as(serve.stderr()).isEqualTo(2);
            assertThat(serve.stderr()).contains("berth: auth.htpasswd.path: cannot read file " + path);
        }
        Path file = Files.write(dir.resolve("debian-without-auth.yml"), withoutAuth);
        assertThat(Config.load(file, Map.of()).storage().driver()).isEqualTo("filesystem");
        try (TestRegistry registry = TestRegistry.builder(dir.resolve("debian-root")).config(file).start()) {
            var base = registry.get("/v2/");
            assertThat(base.statusCode()).isEqualTo(200);
            assertThat(base.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
        }
    }

    /** The value of the first {@code key:} line of the auth section. */
    private static String valueOf(List<String> lines, String key) {
        return lines.subList(lines.indexOf("auth:"), lines.size()).stream().map(String::strip)
                .filter(line -> line.startsWith(key + ":")).findFirst().orElseThrow().substring(key.length() + 1).strip();
    }
}
