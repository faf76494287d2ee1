package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code proxy} section: Distribution's single upstream, Berth's named remotes, and the mistakes refused by key. */
class ProxyConfigTest {

    @TempDir
    Path dir;

    private Config load(String yaml) throws IOException {
        return Config.load(Files.writeString(dir.resolve("config.yml"), yaml), Map.of());
    }

    @Test
    void noRemoteIsNoCache() throws IOException {
        Config config = load("version: 0.1\n");
        assertThat(config.proxy().enabled()).isFalse();
        assertThat(config.effectiveYaml()).doesNotContain("proxy");
        // As in Distribution, credentials alone turn nothing on.
        assertThat(load("proxy:\n  username: u\n  password: p\n").proxy().enabled()).isFalse();
    }

    @Test
    void remoteurlAndRemotesEachBecomeARemoteWithTheirTtl() throws IOException {
        Config config = load("""
                proxy:
                  remoteurl: https://registry-1.docker.io/
                  ttl: 0
                  remotes:
                    - name: ghcr.io
                      remoteurl: https://ghcr.io
                      username: bot
                      password: hunter2
                    - name: quay.io
                      remoteurl: http://127.0.0.1:5000
                      ttl: 30m
                """);
        assertThat(config.proxy().remotes()).containsExactly(
                new Config.Remote(null, URI.create("https://registry-1.docker.io"), null, null, Duration.ZERO),
                new Config.Remote("ghcr.io", URI.create("https://ghcr.io"), "bot", "hunter2", Duration.ZERO),
                new Config.Remote("quay.io", URI.create("http://127.0.0.1:5000"), null, null, Duration.ofMinutes(30)));
        assertThat(config.effectiveYaml()).doesNotContain("hunter2").contains("password: '********'");
        assertThat(config.proxy().remotes().get(1).toString()).doesNotContain("hunter2");
    }

    @Test
    void theDefaultTtlIsDistributionsWeek() throws IOException {
        assertThat(load("proxy:\n  remoteurl: https://ghcr.io\n").proxy().remotes().getFirst().ttl()).isEqualTo(Duration.ofHours(168));
    }

    @Test
    void mistakesAreRefusedNamingTheirKey() {
        assertThatThrownBy(() -> load("proxy:\n  remoteurl: ftp://mirror\n"))
                .hasMessageContaining("config.yml line 2: proxy.remoteurl: expected the upstream as http(s)://host[:port]");
        assertThatThrownBy(() -> load("proxy:\n  remoteurl: https://ghcr.io/v2/\n"))
                .hasMessageContaining("proxy.remoteurl: expected the upstream as http(s)://host[:port]");
        assertThatThrownBy(() -> load("proxy:\n  remotes:\n    - name: Docker.io\n      remoteurl: https://x\n"))
                .hasMessageContaining("proxy.remotes: remote 1: name \"Docker.io\" must be one repository name component");
        assertThatThrownBy(() -> load("proxy:\n  remotes:\n    - name: localhost:5000\n      remoteurl: https://x\n"))
                .hasMessageContaining("must be one repository name component");
        assertThatThrownBy(() -> load("proxy:\n  remotes:\n    - name: a\n      remoteurl: https://x\n    - name: a\n      remoteurl: https://y\n"))
                .hasMessageContaining("proxy.remotes: remote 2: the name a is given twice");
        assertThatThrownBy(() -> load("proxy:\n  remotes:\n    - name: a\n"))
                .hasMessageContaining("proxy.remotes: remote 1 (a) has no remoteurl");
        assertThatThrownBy(() -> load("proxy:\n  remotes:\n    - name: a\n      remoteurl: https://x\n      ttl: soon\n"))
                .hasMessageContaining("expected a ttl such as 168h");
        assertThatThrownBy(() -> load("proxy:\n  remotes:\n    - name: a\n      url: https://x\n"))
                .hasMessageContaining("proxy.remotes: unknown key url in an entry");
    }
}
