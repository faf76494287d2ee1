package io.berth.config;

/** Reads the {@code health} section. */
final class HealthSection {

    private HealthSection() {}

    static Config.Health read(Values v) {
        return new Config.Health(new Config.StorageDriverCheck(
                v.bool("health.storagedriver.enabled"),
                v.positiveDuration("health.storagedriver.interval"),
                (int) v.positive("health.storagedriver.threshold")));
    }
}
