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
                  pool:
                    maxactive: 8
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
        assertThat(config.redis().poolMaxActive()).isEqualTo(8);
        assertThat(config.redis().readTimeout()).isPositive();
    }

    @Test
    void unknownKeyIsRefusedWithItsFileLine() throws IOException {
        assertThatThrownBy(() -> loadFile("version: 0.1\nhttp:\n  adress: :5000\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config.yml line 3")
                .hasMessageContaining("http.adress");
    }

    @Test
    void wrongTypesAreRefusedWithKeyAndLine() throws IOException {
        assertThatThrownBy(() -> loadFile("storage:\n  inmemory:\n  delete:\n    enabled: maybe\n"))
                .hasMessageContaining("line 4").hasMessageContaining("storage.delete.enabled").hasMessageContaining("maybe");
        assertThatThrownBy(() -> loadFile("http:\n  addr: [a, b]\n"))
                .hasMessageContaining("line 2").hasMessageContaining("http.addr").hasMessageContaining("list");
        assertThatThrownBy(() -> loadFile("http:\n  secret: x\n  draintimeout: soon\n"))
                .hasMessageContaining("line 3").hasMessageContaining("http.draintimeout");
        assertThatThrownBy(() -> loadFile("redis:\n  addr: localhost:6379\n  db: -1\n"))
                .hasMessageContaining("line 3").hasMessageContaining("redis.db");
        assertThatThrownBy(() -> loadFile("log:\n  level: chatty\n"))
                .hasMessageContaining("line 2").hasMessageContaining("log.level").hasMessageContaining("chatty");
    }

    @Test
    void impossibleValuesAreRefusedByName() throws IOException {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "maybe")))
                .hasMessageContaining("environment REGISTRY_STORAGE_DELETE_ENABLED").hasMessageContaining("storage.delete.enabled");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_ADDR", "nowhere")))
                .hasMessageContaining("http.addr");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:70000")))
                .hasMessageContaining("http.addr");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "a week")))
                .hasMessageContaining("storage.maintenance.uploadpurging.age");
        assertThatThrownBy(() -> loadFile("storage:\n  s3:\n    region: us-east-1\n    bucket: b\n    chunksize: 1024\n"))
                .hasMessageContaining("line 5").hasMessageContaining("storage.s3.chunksize");
        assertThatThrownBy(() -> loadFile("storage:\n  s3:\n    region: us-east-1\n"))
                .hasMessageContaining("storage.s3.bucket");
        assertThatThrownBy(() -> loadFile("http:\n  tls:\n    certificate: /nonexistent/cert.pem\n    key: /nonexistent/key.pem\n"))
                .hasMessageContaining("line 3").hasMessageContaining("http.tls.certificate").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> loadFile("http:\n  tls:\n    certificate: /etc/hostname\n"))
                .hasMessageContaining("http.tls.key");
        assertThatThrownBy(() -> loadFile("storage:\n  cache:\n    blobdescriptor: redis\n"))
                .hasMessageContaining("storage.cache.blobdescriptor").hasMessageContaining("redis.addr");
        assertThatThrownBy(() -> loadFile("version: 0.2\n")).hasMessageContaining("line 1").hasMessageContaining("version");
        assertThatThrownBy(() -> loadFile("http:\n  debug:\n    prometheus:\n      enabled: true\n"))
                .hasMessageContaining("http.debug.addr");
    }

    @Test
    void storageNeedsExactlyOneDriverThatBerthHas() throws IOException {
        assertThatThrownBy(() -> loadFile("storage:\n  inmemory:\n  filesystem:\n    rootdirectory: /x\n"))
                .hasMessageContaining("more than one driver");
        assertThatThrownBy(() -> loadFile("storage:\n  azure:\n    accountname: a\n"))
                .hasMessageContaining("line 2").hasMessageContaining("storage.azure").hasMessageContaining("filesystem, inmemory and s3");
        assertThatThrownBy(() -> loadFile("storage:\n  delete:\n    enabled: true\n  inmemory: yes\n"))
                .hasMessageContaining("storage.inmemory").hasMessageContaining("section");
    }

    @Test
    void duplicateKeysAndBrokenYamlAreRefusedWithTheLine() throws IOException {
        assertThatThrownBy(() -> loadFile("http:\n  addr: :5000\n  addr: :6000\n"))
                .hasMessageContaining("line 3");
        assertThatThrownBy(() -> loadFile("http:\n  addr: [unclosed\n"))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> loadFile("- a\n- b\n")).hasMessageContaining("mapping");
    }

    @Test
    void unbuiltFeaturesRefuseToStartWithAMessageInsteadOfBeingIgnored() throws IOException {
        assertThatThrownBy(() -> loadFile("auth:\n  htpasswd:\n    realm: basic-realm\n    path: /etc/registry\n"))
                .hasMessageContaining("line 2").hasMessageContaining("auth.htpasswd").hasMessageContaining("not implemented");
        assertThatThrownBy(() -> loadFile("proxy:\n  remoteurl: https://registry-1.docker.io\n"))
                .hasMessageContaining("proxy.remoteurl").hasMessageContaining("not implemented");
        assertThatThrownBy(() -> loadFile("""
                notifications:
                  endpoints:
                    - name: alistener
                      url: https://listener.example/event
                      timeout: 500ms
                """)).hasMessageContaining("notifications.endpoints").hasMessageContaining("alistener");
        assertThatThrownBy(() -> loadFile("notifications:\n  endpoints:\n    - name: x\n      colour: red\n"))
                .hasMessageContaining("colour");
        Config disabled = loadFile("notifications:\n  endpoints:\n    - name: off\n      url: http://x\n      disabled: true\n");
        assertThat(disabled.storage().driver()).isEqualTo("filesystem");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_AUTH", "htpasswd")))
                .hasMessageContaining("environment REGISTRY_AUTH").hasMessageContaining("auth.htpasswd");
    }

    @Test
    void unknownEnvironmentVariablesAreIgnoredLikeKubernetesServiceVariables() {
        Config config = Config.load(null, Map.of("REGISTRY_PORT_5000_TCP", "tcp://10.0.0.1:5000", "REGISTRY_SERVICE_HOST", "10.0.0.1"));
        assertThat(config.http().address().getPort()).isEqualTo(5000);
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
        assertThat(yaml).doesNotContain("very-secret", "hidden-key", "redis-password")
                .contains("secret: '********'", "secretkey: '********'", "password: '********'")
                .contains("bucket: images", "chunksize: 10485760", "readtimeout: 200ms", "draintimeout: 10s")
                .doesNotContain("rootdirectory: ./data");
    }

    @Test
    void sampleConfigurationLoadsAndDocumentsEveryKey() throws IOException {
        Path sample = Path.of("config.sample.yml");
        Config config = Config.load(sample, Map.of());
        assertThat(config.http().address().getPort()).isEqualTo(5000);
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("./data"));
        String text = Files.readString(sample);
        for (Schema.Key key : Schema.KEYS) {
            String[] parts = key.pattern().split("\\.");
            String last = parts[parts.length - 1];
            if (!last.equals("*")) {
                assertThat(text).as("config.sample.yml documents %s", key.pattern()).contains(last + ":");
            }
        }
    }

    @Test
    void replicaExampleOnS3AndRedisLoads() {
        Config config = Config.load(Path.of("examples/s3-redis.yml"), Map.of(
                "REGISTRY_STORAGE_S3_ACCESSKEY", "id", "REGISTRY_STORAGE_S3_SECRETKEY", "key"));
        assertThat(config.storage().driver()).isEqualTo("s3");
        assertThat(config.storage().s3().regionEndpoint()).hasToString("http://minio.internal:9000");
        assertThat(config.storage().cache().blobDescriptor()).isEqualTo("redis");
        assertThat(config.redis().addr()).isEqualTo("redis.internal:6379");
        assertThat(config.http().debug().prometheusEnabled()).isTrue();
    }

    @Test
    void httpLimitsHaveDefaultsAndImpossibleOnesAreRefusedByTheirFullKey() throws IOException {
        assertThat(Config.load(null, Map.of()).http().limits())
                .isEqualTo(new Config.Limits(1000, Duration.ofSeconds(10), 1024, Duration.ofSeconds(60), 1000, 100));
        Config.Limits set = loadFile("""
                http:
                  limits: {connections: 20, headertimeout: 2s, minbodyrate: 0, idletimeout: 5s, uploads: 7, uploadsperrepository: 3}
                """).http().limits();
        assertThat(set).isEqualTo(new Config.Limits(20, Duration.ofSeconds(2), 0, Duration.ofSeconds(5), 7, 3));
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_LIMITS_CONNECTIONS", "-1")))
                .hasMessageContaining("http.limits.connections");
        assertThatThrownBy(() -> loadFile("http:\n  limits:\n    uploads: 0\n"))
                .hasMessageContaining("line 3").hasMessageContaining("http.limits.uploads");
        assertThatThrownBy(() -> loadFile("http:\n  limits:\n    headertimeout: 0s\n"))
                .hasMessageContaining("http.limits.headertimeout");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_LIMITS_MINBODYRATE", "fast")))
                .hasMessageContaining("http.limits.minbodyrate");
    }
}
