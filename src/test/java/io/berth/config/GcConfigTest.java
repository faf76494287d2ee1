package io.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GcConfigTest {

    @Test
    void onlineCollectionIsOffByDefaultWithADayForIntervalAndDelay() {
        assertThat(Config.load(null, Map.of()).storage().gc())
                .isEqualTo(new Config.Gc(false, Duration.ofHours(24), Duration.ofHours(24), false));
    }

    @Test
    void theGcKeysAreReadFromTheEnvironmentAsDistributionsStyleOverrides() {
        Config config = Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true",
                "REGISTRY_STORAGE_MAINTENANCE_GC_INTERVAL", "1h", "REGISTRY_STORAGE_MAINTENANCE_GC_DELAY", "2h",
                "REGISTRY_STORAGE_MAINTENANCE_GC_UNTAGGED", "true"));
        assertThat(config.storage().gc()).isEqualTo(new Config.Gc(true, Duration.ofHours(1), Duration.ofHours(2), true));
    }

    @Test
    void anIntervalUnderASecondIsRefusedByNameWhenEnabled() {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true",
                "REGISTRY_STORAGE_MAINTENANCE_GC_INTERVAL", "0s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.maintenance.gc.interval");
    }

    @Test
    void aDelayUnderASecondIsRefusedByNameWhenEnabled() {
        assertThatThrownBy(() -> Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true",
                "REGISTRY_STORAGE_MAINTENANCE_GC_DELAY", "500ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.maintenance.gc.delay");
    }

    @Test
    void aZeroDelayIsAcceptedWhileCollectionIsOff() {
        assertThat(Config.load(null, Map.of("REGISTRY_STORAGE_MAINTENANCE_GC_DELAY", "0s")).storage().gc().delay()).isZero();
    }
}
