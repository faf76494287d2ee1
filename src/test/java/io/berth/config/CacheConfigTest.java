package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheConfigTest {

    @Test
    void withoutACacheSectionThereIsNoCacheAndNoRedis() {
        Config config = Config.load(null, Map.of());
        assertThat(config.storage().cache()).isEqualTo(new Config.Cache("", 10_000));
        assertThat(config.redis()).isNull();
    }

    @Test
    void distributionsSampleConfigurationSelectsTheInMemoryCache(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, """
                version: 0.1
                storage:
                  cache:
                    blobdescriptor: inmemory
                    blobdescriptorsize: 500
                  filesystem:
                    rootdirectory: /var/lib/registry
                """);
        assertThat(Config.load(file, Map.of()).storage().cache()).isEqualTo(new Config.Cache("inmemory", 500));
    }

    @Test
    void theRedisSectionTakesDistributionsKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, """
                version: 0.1
                storage:
                  cache:
                    blobdescriptor: redis
                redis:
                  addr: redis.internal:6380
                  username: registry
                  password: hunter2
                  db: 3
                  dialtimeout: 10ms
                  readtimeout: 20ms
                  writetimeout: 30ms
                  pool:
                    maxidle: 16
                    maxactive: 64
                    idletimeout: 300s
                  tls:
                    enabled: true
                """);
        Config config = Config.load(file, Map.of());
        assertThat(config.storage().cache().blobDescriptor()).isEqualTo("redis");
        assertThat(config.redis()).isEqualTo(new Config.Redis("redis.internal:6380", "registry", "hunter2", 3,
                Duration.ofMillis(10), Duration.ofMillis(20), true));
        assertThat(config.unacted()).as("Berth multiplexes one connection with no write timeout")
                .containsExactly("redis.pool.idletimeout", "redis.pool.maxactive", "redis.pool.maxidle", "redis.writetimeout");
        assertThat(config.redis().toString()).doesNotContain("hunter2");
    }

    @Test
    void theEnvironmentSelectsTheRedisCache() {
        Config config = Config.load(null, Map.of(
                "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "redis",
                "REGISTRY_REDIS_ADDR", "127.0.0.1:6379",
                "REGISTRY_REDIS_DB", "2"));
        assertThat(config.storage().cache().blobDescriptor()).isEqualTo("redis");
        assertThat(config.redis().addr()).isEqualTo("127.0.0.1:6379");
        assertThat(config.redis().db()).isEqualTo(2);
        assertThat(config.redis().readTimeout()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aRedisCacheWithoutARedisSectionIsRefused() {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "redis")))
                .isInstanceOf(ConfigException.class).hasMessage("environment REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR: "
                        + "storage.cache.blobdescriptor: redis needs a redis section with at least redis.addr");
    }

    @Test
    void anUnknownCacheOrABadSizeIsRefused() {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "memcached")))
                .isInstanceOf(ConfigException.class).hasMessage("environment REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR: "
                        + "storage.cache.blobdescriptor: expected one of nothing, inmemory, redis, got \"memcached\"");
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTORSIZE", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("environment REGISTRY_STORAGE_CACHE_BLOBDESCRIPTORSIZE: "
                        + "storage.cache.blobdescriptorsize: expected a whole number");
    }
}
