package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @Test
    void embeddedDefaultServesFilesystemUnderDataOnPort5000() {
        Config config = Config.load(null, Map.of());
        assertThat(config.http().address().getPort()).isEqualTo(5000);
        assertThat(config.storage().driver()).isEqualTo("filesystem");
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("./data"));
        assertThat(config.storage().deleteEnabled()).isFalse();
        assertThat(config.storage().uploadPurging().age()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void distributionsEnvironmentVariablesOverrideTheDefault() {
        Config config = Config.load(null, Map.of(
                "REGISTRY_HTTP_ADDR", "127.0.0.1:5123",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/var/lib/registry",
                "REGISTRY_STORAGE_DELETE_ENABLED", "true",
                "REGISTRY_HTTP_SECRET", "s3cret",
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "2h30m"));
        assertThat(config.http().address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.http().address().getPort()).isEqualTo(5123);
        assertThat(config.http().secret()).isEqualTo("s3cret");
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("/var/lib/registry"));
        assertThat(config.storage().deleteEnabled()).isTrue();
        assertThat(config.storage().uploadPurging().age()).isEqualTo(Duration.ofMinutes(150));
    }

    @Test
    void addressWithoutHostListensOnEveryInterface() {
        Config config = Config.load(null, Map.of("REGISTRY_HTTP_ADDR", ":5000"));
        assertThat(config.http().address().getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void registryStorageSelectsTheDriver() {
        assertThat(Config.load(null, Map.of("REGISTRY_STORAGE", "inmemory")).storage().driver()).isEqualTo("inmemory");
    }

    @Test
    void fileSettingsApplyAndEnvironmentWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, """
                version: 0.1
                http:
                  addr: 127.0.0.1:6000
                storage:
                  filesystem:
                    rootdirectory: /srv/registry
                  delete:
                    enabled: true
                """);
        Config config = Config.load(file, Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:7000"));
        assertThat(config.http().address().getPort()).isEqualTo(7000);
        assertThat(config.storage().rootDirectory()).isEqualTo(Path.of("/srv/registry"));
        assertThat(config.storage().deleteEnabled()).isTrue();
    }

    @Test
    void unknownKeysAndBadValuesAreRefusedByName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "http:\n  adress: :5000\n");
        assertThatThrownBy(() -> Config.load(file, Map.of())).hasMessageContaining("http.adress");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "yes")))
                .hasMessageContaining("storage.delete.enabled");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_ADDR", "nowhere")))
                .hasMessageContaining("http.addr");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "a week")))
                .hasMessageContaining("storage.maintenance.uploadpurging.age");
    }
}
