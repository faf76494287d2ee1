package io.berth.config;

import java.util.List;

/**
 * Every configuration key Berth understands, with its kind and its default. A {@code *} segment
 * stands for any name (a header, a log field). Anything not listed is refused at start.
 */
final class Schema {

    /** How a key's value is read. */
    enum Kind {
        TEXT, SECRET, BOOL, INT, BYTES, DURATION, ADDRESS, LIST,
        /** A section written empty or with keys of its own, e.g. {@code storage.inmemory}. */
        SECTION,
        /** A list of mappings checked by the code that reads it, e.g. notification endpoints. */
        RECORDS
    }

    /** One key: its dotted pattern, kind and default (null when it has none). */
    record Key(String pattern, Kind kind, String fallback) {
        boolean matches(String key) {
            String[] want = pattern.split("\\.");
            String[] have = key.split("\\.");
            if (want.length != have.length) {
                return false;
            }
            for (int i = 0; i < want.length; i++) {
                if (!want[i].equals("*") && !want[i].equals(have[i])) {
                    return false;
                }
            }
            return true;
        }

        boolean secret() {
            return kind == Kind.SECRET;
        }
    }

    private static Key key(String pattern, Kind kind) {
        return new Key(pattern, kind, null);
    }

    private static Key key(String pattern, Kind kind, String fallback) {
        return new Key(pattern, kind, fallback);
    }

    static final List<Key> KEYS = List.of(
            key("version", Kind.TEXT, "0.1"),

            key("log.level", Kind.TEXT, "info"),
            key("log.formatter", Kind.TEXT, "text"),
            key("log.fields.*", Kind.TEXT),
            key("log.accesslog.disabled", Kind.BOOL, "false"),

            key("storage.filesystem", Kind.SECTION),
            key("storage.filesystem.rootdirectory", Kind.TEXT, "/var/lib/registry"),
            key("storage.inmemory", Kind.SECTION),
            key("storage.s3", Kind.SECTION),
            key("storage.s3.region", Kind.TEXT),
            key("storage.s3.regionendpoint", Kind.TEXT),
            key("storage.s3.bucket", Kind.TEXT),
            key("storage.s3.rootdirectory", Kind.TEXT, ""),
            key("storage.s3.accesskey", Kind.TEXT),
            key("storage.s3.secretkey", Kind.SECRET),
            key("storage.s3.forcepathstyle", Kind.BOOL),
            key("storage.s3.encrypt", Kind.BOOL, "false"),
            key("storage.s3.chunksize", Kind.BYTES, "10485760"),
            key("storage.s3.multipartcopychunksize", Kind.BYTES, "33554432"),
            key("storage.s3.multipartcopymaxconcurrency", Kind.INT, "100"),
            key("storage.s3.multipartcopythresholdsize", Kind.BYTES, "33554432"),
            key("storage.s3.secure", Kind.BOOL, "true"),
            key("storage.s3.skipverify", Kind.BOOL, "false"),
            key("storage.s3.v4auth", Kind.BOOL, "true"),
            key("storage.s3.storageclass", Kind.TEXT, "STANDARD"),
            key("storage.delete.enabled", Kind.BOOL, "false"),
            key("storage.cache.blobdescriptor", Kind.TEXT, ""),
            key("storage.cache.blobdescriptorsize", Kind.INT, "10000"),
            key("storage.maintenance.uploadpurging.enabled", Kind.BOOL, "true"),
            key("storage.maintenance.uploadpurging.age", Kind.DURATION, "168h"),
            key("storage.maintenance.uploadpurging.interval", Kind.DURATION, "24h"),
            key("storage.maintenance.uploadpurging.dryrun", Kind.BOOL, "false"),
            key("storage.maintenance.readonly.enabled", Kind.BOOL, "false"),
            key("storage.redirect.disable", Kind.BOOL, "false"),
            // Distribution bounds its parallel tag lookups; Berth's need no bound, so the value is only checked.
            key("storage.tag.concurrencylimit", Kind.INT, "8"),

            key("http.addr", Kind.ADDRESS, ":5000"),
            key("http.net", Kind.TEXT, "tcp"),
            key("http.prefix", Kind.TEXT, ""),
            key("http.host", Kind.TEXT, ""),
            key("http.secret", Kind.SECRET, ""),
            key("http.tls.certificate", Kind.TEXT),
            key("http.tls.key", Kind.TEXT),
            key("http.tls.clientcas", Kind.LIST),
            key("http.tls.minimumtls", Kind.TEXT, "tls1.2"),
            key("http.headers.*", Kind.LIST),
            key("http.debug.addr", Kind.ADDRESS),
            key("http.debug.prometheus.enabled", Kind.BOOL, "false"),
            key("http.debug.prometheus.path", Kind.TEXT, "/metrics"),
            key("http.draintimeout", Kind.DURATION, "10s"),
            key("http.http2.disabled", Kind.BOOL, "false"),
            // Bounds on what clients can make the server hold (Berth's own keys).
            key("http.limits.connections", Kind.INT, "1000"),
            key("http.limits.headertimeout", Kind.DURATION, "10s"),
            key("http.limits.minbodyrate", Kind.INT, "1024"),
            key("http.limits.idletimeout", Kind.DURATION, "60s"),
            key("http.limits.uploads", Kind.INT, "1000"),
            key("http.limits.uploadsperrepository", Kind.INT, "100"),

            key("redis.addr", Kind.TEXT),
            key("redis.username", Kind.TEXT, ""),
            key("redis.password", Kind.SECRET, ""),
            key("redis.db", Kind.INT, "0"),
            key("redis.dialtimeout", Kind.DURATION, "1s"),
            key("redis.readtimeout", Kind.DURATION, "200ms"),
            key("redis.writetimeout", Kind.DURATION, "200ms"),
            key("redis.pool.maxidle", Kind.INT, "16"),
            key("redis.pool.maxactive", Kind.INT, "64"),
            key("redis.pool.idletimeout", Kind.DURATION, "300s"),
            key("redis.tls.enabled", Kind.BOOL, "false"),

            key("health.storagedriver.enabled", Kind.BOOL, "false"),
            key("health.storagedriver.interval", Kind.DURATION, "10s"),
            key("health.storagedriver.threshold", Kind.INT, "1"),

            key("notifications.events.includereferences", Kind.BOOL, "false"),
            key("notifications.endpoints", Kind.RECORDS),

            key("auth.silly", Kind.SECTION),
            key("auth.silly.realm", Kind.TEXT),
            key("auth.silly.service", Kind.TEXT),
            key("auth.token", Kind.SECTION),
            key("auth.token.realm", Kind.TEXT),
            key("auth.token.service", Kind.TEXT),
            key("auth.token.issuer", Kind.TEXT),
            key("auth.token.rootcertbundle", Kind.TEXT),
            key("auth.token.autoredirect", Kind.BOOL),
            key("auth.token.jwks", Kind.TEXT),
            key("auth.token.signingalgorithms", Kind.LIST),
            key("auth.htpasswd", Kind.SECTION),
            key("auth.htpasswd.realm", Kind.TEXT),
            key("auth.htpasswd.path", Kind.TEXT),

            key("proxy.remoteurl", Kind.TEXT),
            key("proxy.username", Kind.TEXT),
            key("proxy.password", Kind.SECRET),
            key("proxy.ttl", Kind.DURATION));

    private Schema() {}

    /** The key a dotted name matches, exact names before patterns; null when there is none. */
    static Key find(String name) {
        Key match = null;
        for (Key key : KEYS) {
            if (key.pattern().equals(name)) {
                return key;
            }
            if (match == null && key.matches(name)) {
                match = key;
            }
        }
        return match;
    }
}
