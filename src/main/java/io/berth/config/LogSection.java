package io.berth.config;

/** Reads the {@code log} section. */
final class LogSection {

    private LogSection() {}

    static Config.Log read(Values v) {
        return new Config.Log(v.oneOf("log.level", "error", "warn", "info", "debug"),
                v.oneOf("log.formatter", "text", "json", "logstash"),
                v.textsUnder("log.fields"),
                v.bool("log.accesslog.disabled"));
    }
}
