package io.berth.config;

import java.util.List;
import java.util.Set;

/**
 * Every configuration key Distribution 2.8 and 3 document, with its kind and its default. A
 * {@code *} segment stands for any name (a header, a log field). Keys Berth does not act on are
 * marked {@code acted = false}: they are accepted, listed in one start-up warning, and left out of
 * the effective configuration. Anything not listed is refused at start.
 */
final class Schema {

    /** How a key's value is read. */
    enum Kind {
        TEXT, SECRET, BOOL, INT, BYTES, DURATION, ADDRESS, LIST,
        /** A section written empty or with keys of its own, e.g. {@code storage.inmemory}. */
        SECTION,
        /** A list of mappings whose top-level fields are {@link Key#fields}, e.g. notification endpoints. */
        RECORDS
    }

    /** One key: its dotted pattern, kind, default (null when it has none), whether Berth acts on it, and a record's fields. */
    record Key(String pattern, Kind kind, String fallback, boolean acted, Set<String> fields) {
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
        return new Key(pattern, kind, null, true, Set.of());
    }

    private static Key key(String pattern, Kind kind, String fallback) {
        return new Key(pattern, kind, fallback, true, Set.of());
    }

    /** A key Distribution documents and Berth accepts without acting on it. */
    private static Key unacted(String pattern, Kind kind) {
        return new Key(pattern, kind, null, false, Set.of());
    }

    /** A list of mappings Berth accepts without acting on it; each mapping may hold only {@code fields}. */
    private static Key unactedRecords(String pattern, String... fields) {
        return new Key(pattern, Kind.RECORDS, null, false, Set.of(fields));
    }

    static final List<Key> KEYS = List.of(
            key("version", Kind.TEXT, "0.1"),

            key("log.level", Kind.TEXT, "info"),
            key("log.formatter", Kind.TEXT, "text"),
            key("log.fields.*", Kind.TEXT),
            key("log.accesslog.disabled", Kind.BOOL, "false"),
            unacted("log.reportcaller", Kind.BOOL),
            unactedRecords("log.hooks", "type", "disabled", "levels", "options"),
            unacted("loglevel", Kind.TEXT),

            key("storage.filesystem", Kind.SECTION),
            key("storage.filesystem.rootdirectory", Kind.TEXT, "/var/lib/registry"),
            unacted("storage.filesystem.maxthreads", Kind.INT),
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
            unacted("storage.s3.keyid", Kind.TEXT),
            unacted("storage.s3.objectacl", Kind.TEXT),
            unacted("storage.s3.useragent", Kind.TEXT),
            unacted("storage.s3.usedualstack", Kind.BOOL),
            unacted("storage.s3.usefipsendpoint", Kind.BOOL),
            unacted("storage.s3.accelerate", Kind.BOOL),
            unacted("storage.s3.redirectendpoint", Kind.TEXT),
            unacted("storage.s3.loglevel", Kind.TEXT),
            // Berth's own: where S3 writers gather a part (0 memory is a quarter of the heap, no folder the system's temporary one).
            key("storage.s3.partbuffers.memory", Kind.BYTES, "0"),
            key("storage.s3.partbuffers.spilldirectory", Kind.TEXT, ""),
            key("storage.s3.partbuffers.spillsize", Kind.BYTES, "1073741824"),
            key("storage.s3.partbuffers.maxwait", Kind.DURATION, "2s"),
            key("storage.delete.enabled", Kind.BOOL, "false"),
            key("storage.cache.blobdescriptor", Kind.TEXT, ""),
            key("storage.cache.blobdescriptorsize", Kind.INT, "10000"),
            unacted("storage.cache.layerinfo", Kind.TEXT),
            key("storage.maintenance.uploadpurging.enabled", Kind.BOOL, "true"),
            key("storage.maintenance.uploadpurging.age", Kind.DURATION, "168h"),
            key("storage.maintenance.uploadpurging.interval", Kind.DURATION, "24h"),
            key("storage.maintenance.uploadpurging.dryrun", Kind.BOOL, "false"),
            key("storage.maintenance.readonly.enabled", Kind.BOOL, "false"),
            key("storage.maintenance.catalog.interval", Kind.DURATION, "10m"),
            // Berth's own: online garbage collection (Distribution collects offline only).
            key("storage.maintenance.gc.enabled", Kind.BOOL, "false"),
            key("storage.maintenance.gc.interval", Kind.DURATION, "24h"),
            key("storage.maintenance.gc.delay", Kind.DURATION, "24h"),
            key("storage.maintenance.gc.untagged", Kind.BOOL, "false"),
            key("storage.redirect.disable", Kind.BOOL, "false"),
            // Distribution bounds its parallel tag lookups on delete; Berth's need no bound.
            unacted("storage.tag.concurrencylimit", Kind.INT),

            key("http.addr", Kind.ADDRESS, ":5000"),
            key("http.net", Kind.TEXT, "tcp"),
            key("http.prefix", Kind.TEXT, ""),
            key("http.host", Kind.TEXT, ""),
            key("http.secret", Kind.SECRET, ""),
            unacted("http.relativeurls", Kind.BOOL),
            key("http.tls.certificate", Kind.TEXT),
            key("http.tls.key", Kind.TEXT),
            key("http.tls.clientcas", Kind.LIST),
            key("http.tls.minimumtls", Kind.TEXT, "tls1.2"),
            unacted("http.tls.clientauth", Kind.TEXT),
            unacted("http.tls.ciphersuites", Kind.LIST),
            unacted("http.tls.letsencrypt.cachefile", Kind.TEXT),
            unacted("http.tls.letsencrypt.email", Kind.TEXT),
            unacted("http.tls.letsencrypt.hosts", Kind.LIST),
            unacted("http.tls.letsencrypt.directoryurl", Kind.TEXT),
            key("http.headers.*", Kind.LIST),
            key("http.debug.addr", Kind.ADDRESS),
            key("http.debug.prometheus.enabled", Kind.BOOL, "false"),
            key("http.debug.prometheus.path", Kind.TEXT, "/metrics"),
            key("http.draintimeout", Kind.DURATION, "10s"),
            key("http.http2.disabled", Kind.BOOL, "false"),
            unacted("http.h2c.enabled", Kind.BOOL),
            // Bounds on what clients can make the server hold (Berth's own keys).
            key("http.limits.connections", Kind.INT, "1000"),
            key("http.limits.headertimeout", Kind.DURATION, "10s"),
            key("http.limits.minbodyrate", Kind.INT, "1024"),
            key("http.limits.minresponserate", Kind.INT, "1024"),
            key("http.limits.idletimeout", Kind.DURATION, "60s"),
            key("http.limits.uploads", Kind.INT, "1000"),
            key("http.limits.uploadsperrepository", Kind.INT, "100"),

            key("redis.addr", Kind.TEXT),
            key("redis.addrs", Kind.LIST),
            key("redis.username", Kind.TEXT, ""),
            key("redis.password", Kind.SECRET, ""),
            key("redis.db", Kind.INT, "0"),
            key("redis.dialtimeout", Kind.DURATION, "1s"),
            key("redis.readtimeout", Kind.DURATION, "200ms"),
            key("redis.tls.enabled", Kind.BOOL, "false"),
            // Berth multiplexes one connection and bounds every command by readtimeout.
            unacted("redis.writetimeout", Kind.DURATION),
            unacted("redis.pool.maxidle", Kind.INT),
            unacted("redis.pool.maxactive", Kind.INT),
            unacted("redis.pool.idletimeout", Kind.DURATION),
            unacted("redis.tls.certificate", Kind.TEXT),
            unacted("redis.tls.key", Kind.TEXT),
            unacted("redis.tls.rootcas", Kind.LIST),
            // Distribution 3 reads go-redis's UniversalOptions under redis.
            unacted("redis.clientname", Kind.TEXT),
            unacted("redis.protocol", Kind.INT),
            unacted("redis.sentinelusername", Kind.TEXT),
            unacted("redis.sentinelpassword", Kind.SECRET),
            unacted("redis.maxretries", Kind.TEXT),
            unacted("redis.minretrybackoff", Kind.TEXT),
            unacted("redis.maxretrybackoff", Kind.TEXT),
            unacted("redis.contexttimeoutenabled", Kind.BOOL),
            unacted("redis.poolfifo", Kind.BOOL),
            unacted("redis.poolsize", Kind.INT),
            unacted("redis.pooltimeout", Kind.DURATION),
            unacted("redis.minidleconns", Kind.INT),
            unacted("redis.maxidleconns", Kind.INT),
            unacted("redis.maxactiveconns", Kind.INT),
            unacted("redis.connmaxidletime", Kind.DURATION),
            unacted("redis.connmaxlifetime", Kind.DURATION),
            unacted("redis.maxredirects", Kind.INT),
            unacted("redis.readonly", Kind.BOOL),
            unacted("redis.routebylatency", Kind.BOOL),
            unacted("redis.routerandomly", Kind.BOOL),
            unacted("redis.mastername", Kind.TEXT),
            unacted("redis.disableidentity", Kind.BOOL),
            unacted("redis.identitysuffix", Kind.TEXT),
            unacted("redis.unstableresp3", Kind.BOOL),

            key("health.storagedriver.enabled", Kind.BOOL, "false"),
            key("health.storagedriver.interval", Kind.DURATION, "10s"),
            key("health.storagedriver.threshold", Kind.INT, "1"),
            unactedRecords("health.file", "file", "interval", "threshold"),
            unactedRecords("health.http", "uri", "headers", "statuscode", "timeout", "interval", "threshold"),
            unactedRecords("health.tcp", "addr", "timeout", "interval", "threshold"),

            unactedRecords("middleware.registry", "name", "disabled", "options"),
            unactedRecords("middleware.repository", "name", "disabled", "options"),
            unactedRecords("middleware.storage", "name", "disabled", "options"),

            unacted("catalog.maxentries", Kind.INT),
            unacted("tags.maxtags", Kind.INT),

            unacted("reporting.bugsnag.apikey", Kind.SECRET),
            unacted("reporting.bugsnag.releasestage", Kind.TEXT),
            unacted("reporting.bugsnag.endpoint", Kind.TEXT),
            unacted("reporting.newrelic.licensekey", Kind.SECRET),
            unacted("reporting.newrelic.name", Kind.TEXT),
            unacted("reporting.newrelic.verbose", Kind.BOOL),

            unacted("compatibility.schema1.signingkeyfile", Kind.TEXT),
            unacted("compatibility.schema1.enabled", Kind.BOOL),

            unacted("validation.enabled", Kind.BOOL),
            unacted("validation.disabled", Kind.BOOL),
            unacted("validation.manifests.urls.allow", Kind.LIST),
            unacted("validation.manifests.urls.deny", Kind.LIST),
            unacted("validation.manifests.indexes.platforms", Kind.TEXT),
            unactedRecords("validation.manifests.indexes.platformlist", "os", "architecture"),

            unacted("policy.repository.classes", Kind.LIST),

            key("auth", Kind.SECTION),
            key("auth.htpasswd", Kind.SECTION),
            key("auth.htpasswd.realm", Kind.TEXT, "basic-realm"),
            key("auth.htpasswd.path", Kind.TEXT),
            key("auth.token", Kind.SECTION),
            key("auth.token.realm", Kind.TEXT),
            key("auth.token.service", Kind.TEXT),
            key("auth.token.issuer", Kind.TEXT),
            key("auth.token.rootcertbundle", Kind.TEXT),
            key("auth.token.jwks", Kind.TEXT),
            key("auth.token.autoredirect", Kind.BOOL, "false"),
            key("auth.token.autoredirectpath", Kind.TEXT, "/auth/token"),
            key("auth.token.signingalgorithms", Kind.LIST),
            // Berth's own: its token endpoint, signing users of the htpasswd file in; realm, service and issuer resolved in AuthSection.
            key("auth.tokenserver", Kind.SECTION),
            key("auth.tokenserver.enabled", Kind.BOOL, "false"),
            key("auth.tokenserver.key", Kind.TEXT),
            key("auth.tokenserver.expiration", Kind.DURATION, "5m"),
            key("auth.tokenserver.realm", Kind.TEXT),
            key("auth.tokenserver.service", Kind.TEXT),
            key("auth.tokenserver.issuer", Kind.TEXT),
            // Berth's own: who may do what where.
            new Key("auth.access", Kind.RECORDS, null, true, Set.of("repositories", "users", "actions")),
            // Distribution's provider for its own tests: known, so that it is refused by name (AuthSection).
            unacted("auth.silly", Kind.SECTION),
            unacted("auth.silly.realm", Kind.TEXT),
            unacted("auth.silly.service", Kind.TEXT),

            // Delivered from an outbox in storage (io.berth.notify); disabled endpoints are accepted and left out.
            key("notifications.events.includereferences", Kind.BOOL, "false"),
            new Key("notifications.endpoints", Kind.RECORDS, null, true, Set.of("name", "url", "disabled", "headers", "timeout",
                    "threshold", "backoff", "ignoredmediatypes", "ignore")),
            // Berth's own: events an endpoint may have waiting before the oldest are dropped; the replica's name (empty: the host's).
            key("notifications.outbox.maxevents", Kind.INT, "100000"),
            key("notifications.outbox.instance", Kind.TEXT, ""),

            key("proxy.remoteurl", Kind.TEXT),
            key("proxy.username", Kind.TEXT),
            key("proxy.password", Kind.SECRET),
            key("proxy.ttl", Kind.DURATION, "168h"),
            // Berth's own: several upstreams in one cache, routed by ?ns= or the first path component (ProxySection).
            new Key("proxy.remotes", Kind.RECORDS, null, true, Set.of("name", "remoteurl", "username", "password", "ttl")),
            unacted("proxy.cachewritetimeout", Kind.DURATION),
            unacted("proxy.exec.command", Kind.TEXT),
            unacted("proxy.exec.lifetime", Kind.DURATION));

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

    /** The schema's key for a name the code reads; a name missing from the schema is a programming error. */
    static Key require(String name) {
        Key key = find(name);
        if (key == null) {
            throw new IllegalStateException("configuration key " + name + " is not in io.berth.config.Schema");
        }
        return key;
    }
}
