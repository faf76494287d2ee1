package io.berth.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Reads the {@code redis} section: one address, as Distribution 2.8 writes it ({@code addr}) or as
 * Distribution 3 does ({@code addrs} with a single entry).
 */
final class RedisSection {

    private RedisSection() {}

    /** The section, or null when the configuration has none. */
    static Config.Redis read(Values v) {
        if (!v.settings.hasSection("redis")) {
            return null;
        }
        String addr = address(v);
        return new Config.Redis(addr, v.text("redis.username"), v.text("redis.password"), (int) v.integer("redis.db"),
                v.positiveDuration("redis.dialtimeout"), v.positiveDuration("redis.readtimeout"), v.bool("redis.tls.enabled"));
    }

    private static String address(Values v) {
        String key = "redis.addr";
        String addr = v.text(key);
        List<String> addrs = v.list("redis.addrs");
        if (addrs.size() > 1) {
            throw v.error("redis.addrs", "Berth connects to one Redis; give one address, not " + addrs.size());
        }
        if (!addrs.isEmpty()) {
            if (addr != null && !addr.isEmpty() && !addr.equals(addrs.getFirst())) {
                throw v.error("redis.addrs", "names " + addrs.getFirst() + " but redis.addr names " + addr + "; give one");
            }
            key = "redis.addrs";
            addr = addrs.getFirst();
        }
        if (addr == null || addr.isEmpty()) {
            throw v.error("redis.addr", "the redis section needs redis.addr (host:port)");
        }
        InetSocketAddress parsed = Values.parseAddress(addr);
        if (parsed == null || parsed.getPort() == 0) {
            throw v.error(key, "expected host:port, got \"" + addr + "\"");
        }
        return addr;
    }
}
