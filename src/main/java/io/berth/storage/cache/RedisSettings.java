package io.berth.storage.cache;

import java.time.Duration;

/** How to reach Redis, from Distribution's {@code redis} configuration section. */
public record RedisSettings(String addr, String username, String password, int db, Duration dialTimeout,
        Duration readTimeout, Duration writeTimeout, int poolMaxIdle, int poolMaxActive, Duration poolIdleTimeout,
        boolean tls) {}
