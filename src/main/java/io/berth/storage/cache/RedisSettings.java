package io.berth.storage.cache;

import java.time.Duration;

/**
 * Distribution's {@code redis} section: where the shared descriptor cache is and how to reach it.
 * Durations of zero mean "not set"; the pool settings are accepted for compatibility, but Berth
 * multiplexes every command over one connection, so there is no pool to size.
 */
public record RedisSettings(String addr, String username, String password, int db, Duration dialTimeout,
        Duration readTimeout, Duration writeTimeout, int poolMaxIdle, int poolMaxActive, Duration poolIdleTimeout,
        boolean tls) {

    @Override
    public String toString() {
        // Never the password: settings end up in logs.
        return "RedisSettings[addr=" + addr + ", db=" + db + ", tls=" + tls + "]";
    }
}
