package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misspelt keys are refused with the closest valid key; keys the code reads must be in the schema. */
class KeySuggestionTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("config.yml"), yaml);
    }

    @Test
    void aMisspeltKeyInAFileIsRefusedWithTheClosestKeySuggested() throws IOException {
        Map<String, String> cases = Map.of(
                "storage:\n  inmemory:\n  delete:\n    enabeld: true\n",
                "line 4: storage.delete.enabeld: unknown configuration key; did you mean storage.delete.enabled?",
                "storage:\n  s3:\n    region: r\n    bucket: b\n    regionendpiont: http://127.0.0.1:9000\n",
                "line 5: storage.s3.regionendpiont: unknown configuration key; did you mean storage.s3.regionendpoint?",
                "storage:\n  inmemory:\n  maintenance:\n    uploadpurgin:\n      age: 1h\n",
                "line 5: storage.maintenance.uploadpurgin.age: unknown configuration key;"
                        + " did you mean storage.maintenance.uploadpurging.age?",
                "log:\n  feilds:\n    service: registry\n",
                "line 3: log.feilds.service: unknown configuration key; did you mean log.fields.service?",
                "http:\n  relativeurl: true\n",
                "line 2: http.relativeurl: unknown configuration key; did you mean http.relativeurls?",
                "redis:\n  addr: 127.0.0.1:6379\n  pool:\n    maxactve: 8\n",
                "line 4: redis.pool.maxactve: unknown configuration key; did you mean redis.pool.maxactive?");
        for (var c : cases.entrySet()) {
            Path file = file(c.getKey());
            assertThatThrownBy(() -> Config.load(file, Map.of())).isInstanceOf(ConfigException.class)
                    .hasMessage(file + " " + c.getValue());
        }
    }

    @Test
    void aKeyCloseToNoneIsRefusedWithoutASuggestion() throws IOException {
        Path file = file("colour: red\n");
        assertThatThrownBy(() -> Config.load(file, Map.of())).hasMessage(file + " line 1: colour: unknown configuration key");
    }

    @Test
    void aMisspeltEnvironmentVariableIsRefusedWithTheClosestKeySuggested() {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_DELETE_ENABELD", "true")))
                .hasMessage("environment REGISTRY_STORAGE_DELETE_ENABELD: storage.delete.enabeld: unknown configuration key;"
                        + " did you mean storage.delete.enabled?");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_REDIS_READTIMOUT", "1s")))
                .hasMessage("environment REGISTRY_REDIS_READTIMOUT: redis.readtimout: unknown configuration key;"
                        + " did you mean redis.readtimeout?");
    }

    @Test
    void aMisspeltFieldOfAListEntryIsRefusedWithTheClosestFieldSuggested() throws IOException {
        Path file = file("notifications:\n  endpoints:\n    - name: x\n      disabled: true\n      timout: 1s\n");
        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .hasMessage(file + " line 2: notifications.endpoints: unknown key timout in an entry; did you mean timeout?");
        Path health = file("health:\n  tcp:\n    - adr: 127.0.0.1:6379\n");
        assertThatThrownBy(() -> Config.load(health, Map.of()))
                .hasMessage(health + " line 2: health.tcp: unknown key adr in an entry; did you mean addr?");
    }

    @Test
    void readingAKeyTheSchemaLacksThrowsAtOnce() {
        Values values = new Values(Settings.fromYaml("storage:\n  delete:\n    enabled: true\n", "test"));
        assertThat(values.bool("storage.delete.enabled")).isTrue();
        List<Consumer<String>> reads = List.of(values::get, values::text, values::bool, values::integer, values::list,
                values::duration, values::records);
        for (Consumer<String> read : reads) {
            assertThatThrownBy(() -> read.accept("storage.delete.enabeld"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("configuration key storage.delete.enabeld is not in io.berth.config.Schema");
        }
    }

    @Test
    void anElementOfAListCanBeSetFromTheEnvironmentByItsIndex() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not parsed while loading\n");
        Map<String, String> tls = Map.of("REGISTRY_HTTP_TLS_CERTIFICATE", ca.toString(), "REGISTRY_HTTP_TLS_KEY", ca.toString(),
                "REGISTRY_HTTP_TLS_CLIENTCAS_0", ca.toString());
        assertThat(Config.load(null, tls).http().tls().clientCas()).containsExactly(ca);
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_HTTP_TLS_CLIENTCAS_1", ca.toString())))
                .hasMessage("environment REGISTRY_HTTP_TLS_CLIENTCAS_1: http.tls.clientcas: element 1 set before element 0");
    }

    @Test
    void distribution3sRedisAddrsNamesTheOneRedis() {
        Config config = Config.load(null, Map.of("REGISTRY_REDIS_ADDRS", "[redis.internal:6380]"));
        assertThat(config.redis().addr()).isEqualTo("redis.internal:6380");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_REDIS_ADDRS", "[a:6379, b:6379]")))
                .hasMessage("environment REGISTRY_REDIS_ADDRS: redis.addrs: Berth connects to one Redis; give one address, not 2");
    }
}
