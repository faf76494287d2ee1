package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class ConfigTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private Config loadFile(String yaml) throws IOException {
        return Config.load(file(yaml), Map.of());
    }

    @Test
    void embeddedDefaultServesFilesystemUnderDataOnPort5000() {
        Config config = Config.load(null, Map.of());
        assertThat(config.http().address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.http().address().getPort()).isEqualTo(5000);
        assertThat(config.storage().driver()).isEqualTo("filesystem");
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("./data"));
        assertThat(config.storage().deleteEnabled()).isFalse();
        assertThat(config.storage().uploadPurging().age()).isEqualTo(Duration.ofDays(7));
        assertThat(config.storage().cache().blobDescriptor()).isEmpty();
        assertThat(config.http().tls()).isNull();
        assertThat(config.http().debug().address()).isNull();
        assertThat(config.redis()).isNull();
        assertThat(config.log().level()).isEqualTo("info");
        assertThat(config.log().formatter()).isEqualTo("text");
    }

    @Test
    void distributionsEnvironmentVariablesOverrideTheDefault() {
        Config config = Config.load(null, Map.of(
                "REGISTRY_HTTP_ADDR", "127.0.0.1:5123",
                "REGISTRY_HTTP_SECRET", "s3cret",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/var/lib/registry",
                "REGISTRY_STORAGE_DELETE_ENABLED", "true",
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "2h30m",
                "REGISTRY_LOG_LEVEL", "debug",
                "REGISTRY_LOG_FIELDS_SERVICE", "registry",
                "REGISTRY_HTTP_TLS_CLIENTCAS", "[]",
                "REGISTRY_HTTP_DRAINTIMEOUT", "3s"));
        assertThat(config.http().address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.http().address().getPort()).isEqualTo(5123);
        assertThat(config.http().secret()).isEqualTo("s3cret");
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("/var/lib/registry"));
        assertThat(config.storage().deleteEnabled()).isTrue();
        assertThat(config.storage().uploadPurging().age()).isEqualTo(Duration.ofMinutes(150));
        assertThat(config.log().level()).isEqualTo("debug");
        assertThat(config.log().fields()).containsEntry("service", "registry");
        assertThat(config.http().drainTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void addressWithoutHostListensOnEveryInterface() {
        Config config = Config.load(null, Map.of("REGISTRY_HTTP_ADDR", ":5000"));
        assertThat(config.http().address().getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void registryStorageSelectsTheDriverOverTheFilesChoice() throws IOException {
        assertThat(Config.load(null, Map.of("REGISTRY_STORAGE", "inmemory")).storage().driver()).isEqualTo("inmemory");
        Config s3 = Config.load(file("storage:\n  filesystem:\n    rootdirectory: /srv\n"), Map.of(
                "REGISTRY_STORAGE", "s3",
                "REGISTRY_STORAGE_S3_REGION", "us-east-1",
                "REGISTRY_STORAGE_S3_BUCKET", "images",
                "REGISTRY_STORAGE_S3_REGIONENDPOINT", "http://127.0.0.1:9000",
                "REGISTRY_STORAGE_S3_ACCESSKEY", "id",
                "REGISTRY_STORAGE_S3_SECRETKEY", "key"));
        assertThat(s3.storage().driver()).isEqualTo("s3");
        assertThat(s3.storage().rootDirectory()).isNull();
        assertThat(s3.storage().s3().bucket()).isEqualTo("images");
        assertThat(s3.storage().s3().regionEndpoint()).hasToString("http://127.0.0.1:9000");
        assertThat(s3.storage().s3().forcePathStyle()).as("path style by default with an endpoint").isTrue();
        assertThat(s3.storage().s3().chunkSize()).isEqualTo(10 << 20);
    }

    @Test
    void fileSettingsApplyAndEnvironmentWins() throws Exception {
        Config config = Config.load(file("""
                version: 0.1
                http:
                  addr: 127.0.0.1:6000
                  prefix: /registry/
                  headers:
                    X-Content-Type-Options: [nosniff]
                storage:
                  filesystem:
                    rootdirectory: /srv/registry
                  delete:
                    enabled: true
                  cache:
                    blobdescriptor: redis
                  maintenance:
                    readonly:
                      enabled: true
                redis:
                  addr: 127.0.0.1:6379
                  db: 2
                  readtimeout: 150ms
                """), Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:7000"));
        assertThat(config.http().address().getPort()).isEqualTo(7000);
        assertThat(config.http().prefix()).isEqualTo("/registry");
        assertThat(config.http().headers()).containsEntry("X-Content-Type-Options", List.of("nosniff"));
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("/srv/registry"));
        assertThat(config.storage().deleteEnabled()).isTrue();
        assertThat(config.storage().readOnly()).isTrue();
        assertThat(config.storage().cache().blobDescriptor()).isEqualTo("redis");
        assertThat(config.redis().addr()).isEqualTo("127.0.0.1:6379");
        assertThat(config.redis().db()).isEqualTo(2);
        assertThat(config.redis().readTimeout()).isEqualTo(Duration.ofMillis(150));
        assertThat(config.unacted()).isEmpty();
    }

    @Test
    void unknownKeyIsRefusedWithItsFileLine() throws IOException {
        assertThatThrownBy(() -> loadFile("version: 0.1\nhttp:\n  adress: :5000\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("config.yml") + " line 3: http.adress: unknown configuration key");
    }

    @Test
    void wrongTypesAreRefusedWithKeyAndLine() throws IOException {
        assertThatThrownBy(() -> loadFile("storage:\n  inmemory:\n  delete:\n    enabled: maybe\n"))
                .hasMessageEndingWith("config.yml line 4: storage.delete.enabled: expected true or false, got \"maybe\"");
        assertThatThrownBy(() -> loadFile("http:\n  addr: [a, b]\n"))
                .hasMessageEndingWith("config.yml line 2: http.addr: expected a single value, not a list");
        assertThatThrownBy(() -> loadFile("http:\n  secret: x\n  draintimeout: soon\n"))
                .hasMessageContaining("config.yml line 3: http.draintimeout: expected a duration");
        assertThatThrownBy(() -> loadFile("redis:\n  addr: localhost:6379\n  db: -1\n"))
                .hasMessageContaining("config.yml line 3: redis.db: expected a whole number");
        assertThatThrownBy(() -> loadFile("log:\n  level: chatty\n"))
                .hasMessageEndingWith("config.yml line 2: log.level: expected one of error, warn, info, debug, got \"chatty\"");
    }

    @Test
    void impossibleValuesAreRefusedByName() throws IOException {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "maybe")))
                .hasMessage("environment REGISTRY_STORAGE_DELETE_ENABLED: storage.delete.enabled: expected true or false, got \"maybe\"");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_ADDR", "nowhere")))
                .hasMessage("environment REGISTRY_HTTP_ADDR: http.addr: expected host:port or :port, got \"nowhere\"");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:70000")))
                .hasMessageStartingWith("environment REGISTRY_HTTP_ADDR: http.addr: ");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "a week")))
                .hasMessageStartingWith("environment REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE: storage.maintenance.uploadpurging.age: ");
        assertThatThrownBy(() -> loadFile("storage:\n  s3:\n    region: us-east-1\n    bucket: b\n    chunksize: 1024\n"))
                .hasMessageEndingWith("config.yml line 5: storage.s3.chunksize: S3 parts are at least 5 MiB (5242880), got 1024");
        assertThatThrownBy(() -> loadFile("storage:\n  s3:\n    region: us-east-1\n"))
                .hasMessage("storage.s3.bucket: the s3 driver needs storage.s3.bucket");
        assertThatThrownBy(() -> loadFile("http:\n  tls:\n    certificate: /nonexistent/cert.pem\n    key: /nonexistent/key.pem\n"))
                .hasMessageEndingWith("config.yml line 3: http.tls.certificate: cannot read file /nonexistent/cert.pem");
        assertThatThrownBy(() -> loadFile("http:\n  tls:\n    certificate: /etc/hostname\n"))
                .hasMessage("http.tls.key: TLS needs both http.tls.certificate and http.tls.key");
        assertThatThrownBy(() -> loadFile("storage:\n  cache:\n    blobdescriptor: redis\n"))
                .hasMessageEndingWith("config.yml line 3: storage.cache.blobdescriptor: redis needs a redis section with at least redis.addr");
        assertThatThrownBy(() -> loadFile("version: 0.2\n")).hasMessageContaining("config.yml line 1: version: ");
        assertThatThrownBy(() -> loadFile("http:\n  debug:\n    prometheus:\n      enabled: true\n"))
                .hasMessageEndingWith("config.yml line 4: http.debug.prometheus.enabled: metrics are served on the debug address: set http.debug.addr");
    }

    @Test
    void storageNeedsExactlyOneDriverThatBerthHas() throws IOException {
        assertThatThrownBy(() -> loadFile("storage:\n  inmemory:\n  filesystem:\n    rootdirectory: /x\n"))
                .hasMessage("storage: more than one driver [filesystem, inmemory] (filesystem, inmemory or s3)");
        for (String other : List.of("azure", "gcs", "swift", "oss")) {
            assertThatThrownBy(() -> loadFile("storage:\n  " + other + ":\n    bucket: a\n"))
                    .hasMessageEndingWith("config.yml line 2: storage." + other + ": Berth's storage drivers are filesystem, inmemory and s3");
        }
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE", "gcs")))
                .hasMessage("environment REGISTRY_STORAGE: storage.gcs: Berth's storage drivers are filesystem, inmemory and s3");
        assertThatThrownBy(() -> loadFile("storage:\n  delete:\n    enabled: true\n  inmemory: yes\n"))
                .hasMessageEndingWith("config.yml line 4: storage.inmemory: expected a section of keys, got \"yes\"");
    }

    @Test
    void duplicateKeysAndBrokenYamlAreRefusedWithTheLine() throws IOException {
        assertThatThrownBy(() -> loadFile("http:\n  addr: :5000\n  addr: :6000\n"))
                .hasMessageEndingWith("config.yml line 3: http.addr appears twice");
        assertThatThrownBy(() -> loadFile("http:\n  addr: [unclosed\n"))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> loadFile("- a\n- b\n")).hasMessageContaining("mapping");
    }

    @Test
    void anUnknownKeyInANotificationEndpointIsRefusedWithItsLine() throws IOException {
        assertThatThrownBy(() -> loadFile("notifications:\n  endpoints:\n    - name: x\n      colour: red\n"))
                .hasMessageEndingWith("config.yml line 2: notifications.endpoints: unknown key colour in an entry");
    }

    @Test
    void unknownEnvironmentVariablesAreIgnoredLikeKubernetesServiceVariables() {
        // What Kubernetes sets for a service named registry.
        Config config = Config.load(null, Map.of("REGISTRY_PORT", "tcp://10.0.0.1:5000",
                "REGISTRY_PORT_5000_TCP", "tcp://10.0.0.1:5000", "REGISTRY_PORT_5000_TCP_PROTO", "tcp",
                "REGISTRY_PORT_5000_TCP_PORT", "5000", "REGISTRY_PORT_5000_TCP_ADDR", "10.0.0.1",
                "REGISTRY_SERVICE_HOST", "10.0.0.1", "REGISTRY_SERVICE_PORT", "5000"));
        assertThat(config.http().address().getPort()).isEqualTo(5000);
        assertThat(config.unacted()).isEmpty();
    }

    @Test
    void effectiveConfigurationShowsDefaultsAndMasksSecrets() throws IOException {
        Config config = Config.load(file("""
                version: 0.1
                http:
                  secret: very-secret
                storage:
                  s3:
                    region: us-east-1
                    bucket: images
                    accesskey: AKIA
                    secretkey: hidden-key
                redis:
                  addr: 127.0.0.1:6379
                  password: redis-password
                """), Map.of());
        String yaml = config.effectiveYaml();
        assertThat(yaml).doesNotContain("very-secret", "hidden-key", "redis-password");
        Map<String, Map<String, Object>> effective = new Yaml().load(yaml);
        assertThat(effective.get("http")).containsEntry("secret", "********").containsEntry("draintimeout", "10s");
        assertThat(effective.get("redis")).containsEntry("password", "********").containsEntry("readtimeout", "200ms");
        @SuppressWarnings("unchecked")
        Map<String, Object> s3 = (Map<String, Object>) effective.get("storage").get("s3");
        assertThat(s3).containsEntry("secretkey", "********").containsEntry("bucket", "images")
                .containsEntry("chunksize", 10485760).containsEntry("multipartcopychunksize", 33554432);
        assertThat(effective.get("storage")).as("the default's filesystem gives way to the file's driver")
                .doesNotContainKey("filesystem");
    }

    @Test
    void s3PartBuffersAreReadWithTheirDefaultsAndASpillDirectoryThatIsNoFolderIsRefused() throws IOException {
        Map<String, String> s3 = Map.of("REGISTRY_STORAGE", "s3", "REGISTRY_STORAGE_S3_REGION", "us-east-1",
                "REGISTRY_STORAGE_S3_BUCKET", "images");
        assertThat(Config.load(null, s3).storage().s3().partBuffers())
                .isEqualTo(new Config.S3PartBuffers(0, null, 1L << 30, java.time.Duration.ofSeconds(2)));

        Path folder = Files.createTempDirectory("spill");
        Config set = loadFile("storage:\n  s3:\n    region: us-east-1\n    bucket: images\n    partbuffers:\n      memory: 32MiB\n"
                + "      spilldirectory: " + folder + "\n      spillsize: 0\n      maxwait: 500ms\n");
        assertThat(set.storage().s3().partBuffers())
                .isEqualTo(new Config.S3PartBuffers(32 << 20, folder, 0, java.time.Duration.ofMillis(500)));

        Path notAFolder = Files.createTempFile("spill", ".txt");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE", "s3", "REGISTRY_STORAGE_S3_REGION", "us-east-1",
                "REGISTRY_STORAGE_S3_BUCKET", "images", "REGISTRY_STORAGE_S3_PARTBUFFERS_SPILLDIRECTORY", notAFolder.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.s3.partbuffers.spilldirectory: not a folder Berth can write to: " + notAFolder);
        Files.delete(notAFolder);
        Files.delete(folder);
    }

    @Test
    void httpLimitsHaveDefaultsAndImpossibleOnesAreRefusedByTheirFullKey() throws IOException {
        assertThat(Config.load(null, Map.of()).http().limits())
                .isEqualTo(new Config.Limits(1000, Duration.ofSeconds(10), 1024, Duration.ofSeconds(60), 1000, 100, 1024));
        Config.Limits set = loadFile("""
                http:
                  limits: {connections: 20, headertimeout: 2s, minbodyrate: 0, idletimeout: 5s, uploads: 7, uploadsperrepository: 3, minresponserate: 0}
                """).http().limits();
        assertThat(set).isEqualTo(new Config.Limits(20, Duration.ofSeconds(2), 0, Duration.ofSeconds(5), 7, 3, 0));
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_LIMITS_CONNECTIONS", "-1")))
                .hasMessageContaining("http.limits.connections");
        assertThatThrownBy(() -> loadFile("http:\n  limits:\n    uploads: 0\n"))
                .hasMessageContaining("line 3").hasMessageContaining("http.limits.uploads");
        assertThatThrownBy(() -> loadFile("http:\n  limits:\n    headertimeout: 0s\n"))
                .hasMessageContaining("http.limits.headertimeout");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_LIMITS_MINBODYRATE", "fast")))
                .hasMessageContaining("http.limits.minbodyrate");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_LIMITS_MINRESPONSERATE", "-1")))
                .hasMessageContaining("http.limits.minresponserate");
    }
}
