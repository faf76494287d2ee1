package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code notifications} as Distribution writes it: endpoints with its defaults, disabled ones left out, mistakes named. */
class NotificationsConfigTest {

    @TempDir
    Path dir;

    private Config load(String yaml) throws IOException {
        return Config.load(Files.writeString(dir.resolve("config.yml"), "version: 0.1\n" + yaml), Map.of());
    }

    @Test
    void distributionsEndpointKeysAreReadWithItsDefaults() throws IOException {
        Config config = load("""
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: alistener
                      url: https://listener.example/event
                      headers:
                        Authorization: [Bearer token]
                      timeout: 500ms
                      threshold: 5
                      backoff: 1s
                      ignoredmediatypes: [application/octet-stream]
                      ignore:
                        mediatypes: [application/vnd.oci.image.manifest.v1+json]
                        actions: [pull]
                    - name: defaults
                      url: http://127.0.0.1:8080/events
                    - name: off
                      url: http://nowhere
                      disabled: true
                """);
        Config.Notifications notifications = config.notifications();
        assertThat(notifications.includeReferences()).isTrue();
        assertThat(notifications.maxEvents()).isEqualTo(100_000);
        assertThat(notifications.instance()).isEmpty();
        assertThat(notifications.endpoints()).containsExactly(
                new Config.Endpoint("alistener", URI.create("https://listener.example/event"), Map.of("Authorization", List.of("Bearer token")),
                        Duration.ofMillis(500), 5, Duration.ofSeconds(1),
                        List.of("application/octet-stream", "application/vnd.oci.image.manifest.v1+json"), List.of("pull")),
                new Config.Endpoint("defaults", URI.create("http://127.0.0.1:8080/events"), Map.of(), Duration.ofSeconds(1), 10,
                        Duration.ofSeconds(1), List.of(), List.of()));
        assertThat(config.unacted()).isEmpty();
    }

    @Test
    void theOutboxKeysAreBerthsOwn() throws IOException {
        Config config = load("notifications:\n  outbox:\n    maxevents: 50\n    instance: replica-a\n");
        assertThat(config.notifications().maxEvents()).isEqualTo(50);
        assertThat(config.notifications().instance()).isEqualTo("replica-a");
        assertThat(config.notifications().endpoints()).isEmpty();
    }

    @Test
    void mistakesInAnEndpointAreRefusedNamingIt() {
        assertThatThrownBy(() -> load("notifications:\n  endpoints:\n    - name: x\n      url: ftp://host/x\n"))
                .hasMessageContaining("notifications.endpoints: endpoint \"x\": url must be an http or https URL");
        assertThatThrownBy(() -> load("notifications:\n  endpoints:\n    - url: http://host/x\n"))
                .hasMessageContaining("notifications.endpoints: endpoint 1 has no name");
        assertThatThrownBy(() -> load("notifications:\n  endpoints:\n    - name: x\n      url: http://a\n    - name: x\n      url: http://b\n"))
                .hasMessageContaining("endpoint \"x\" is named twice");
        assertThatThrownBy(() -> load("notifications:\n  endpoints:\n    - name: x\n      url: http://a\n      timeout: soon\n"))
                .hasMessageContaining("endpoint \"x\": timeout expects a duration");
        assertThatThrownBy(() -> load("notifications:\n  endpoints:\n    - name: x\n      url: http://a\n      ignore:\n        action: [pull]\n"))
                .hasMessageContaining("unknown key ignore.action");
        assertThatThrownBy(() -> load("notifications:\n  outbox:\n    maxevents: 0\n"))
                .hasMessageContaining("notifications.outbox.maxevents");
    }

    @Test
    void theEffectiveConfigurationMasksEndpointHeaders() throws IOException {
        Config config = load("""
                notifications:
                  endpoints:
                    - name: x
                      url: http://a/events
                      headers:
                        Authorization: [Bearer secret-token]
                """);
        assertThat(config.effectiveYaml()).contains("Authorization", "http://a/events").doesNotContain("secret-token");
    }
}
