package io.berth.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Berth's configuration, in Distribution's {@code config.yml} format and with its
 * {@code REGISTRY_<KEY>_<SUBKEY>} environment overrides. Loaded once, validated, immutable.
 * {@code effective} is every value in force, secrets masked, for {@code berth config check};
 * {@code unacted} names the keys given that Berth accepts but does not act on.
 */
public record Config(Log log, Storage storage, Http http, Redis redis, Health health, Auth auth, Proxy proxy,
        Notifications notifications, Map<String, Object> effective, List<String> unacted) {

    /** The {@code log} section. */
    public record Log(String level, String formatter, Map<String, String> fields, boolean accessLogDisabled) {}

    /**
     * The {@code storage} section; {@code rootDirectory} is set for the filesystem driver, {@code s3} for S3;
     * {@code catalogInterval} ({@code storage.maintenance.catalog.interval}) is zero when the catalog is not reconciled.
     */
    public record Storage(String driver, Path rootDirectory, S3 s3, boolean deleteEnabled,
            UploadPurging uploadPurging, boolean readOnly, boolean redirectDisabled, Cache cache, Duration catalogInterval,
            Gc gc) {}

    /** {@code storage.maintenance.gc}: online garbage collection every {@code interval}, sparing blobs younger than {@code delay}. */
    public record Gc(boolean enabled, Duration interval, Duration delay, boolean untagged) {}

    /** {@code storage.s3}, with Distribution's defaults filled in; {@code regionEndpoint} is null for AWS itself. */
    public record S3(String region, URI regionEndpoint, String bucket, String rootDirectory, String accessKey,
            String secretKey, boolean forcePathStyle, boolean encrypt, long chunkSize, long multipartCopyChunkSize,
            int multipartCopyMaxConcurrency, long multipartCopyThresholdSize, boolean secure, boolean skipVerify,
            String storageClass, S3PartBuffers partBuffers) {

        /** The secret stays out of logs and error messages. */
        @Override
        public String toString() {
            return "S3[region=" + region + ", regionEndpoint=" + regionEndpoint + ", bucket=" + bucket
                    + ", rootDirectory=" + rootDirectory + ", accessKey=" + accessKey + "]";
        }
    }

    /**
     * {@code storage.s3.partbuffers}: S3 writers gather each part in {@code memory} bytes of heap (0: a
     * quarter of it), then in temporary files in {@code spillDirectory} (null: the system's) up to
     * {@code spillSize} bytes; a writer finding neither waits {@code maxWait}, then gets 429.
     */
    public record S3PartBuffers(long memory, Path spillDirectory, long spillSize, Duration maxWait) {}

    /** {@code storage.maintenance.uploadpurging}: removal of abandoned uploads. */
    public record UploadPurging(boolean enabled, Duration age, Duration interval, boolean dryRun) {}

    /** {@code storage.cache}: {@code blobDescriptor} is empty (no cache), {@code inmemory} or {@code redis}. */
    public record Cache(String blobDescriptor, long blobDescriptorSize) {}

    /** The {@code http} section; {@code tls} is null for plain HTTP. */
    public record Http(InetSocketAddress address, String prefix, String host, String secret, Tls tls,
            Map<String, List<String>> headers, Debug debug, Duration drainTimeout, boolean http2Disabled, Limits limits) {}

    /**
     * {@code http.limits}: open connections at most; how long a request line and headers may take; the
     * slowest request body accepted (bytes per second, 0 for none); how long a connection may stay
     * silent; upload sessions open at once, overall and per repository; the slowest a client may take a
     * response (bytes per second, 0 for none).
     */
    public record Limits(int connections, Duration headerTimeout, long minBodyRate, Duration idleTimeout,
            int uploads, int uploadsPerRepository, long minResponseRate) {}

    /** {@code http.tls}; {@code minimumTls} is {@code tls1.2} or {@code tls1.3}. */
    public record Tls(Path certificate, Path key, List<Path> clientCas, String minimumTls) {}

    /** {@code http.debug}; a null address means no debug server. */
    public record Debug(InetSocketAddress address, boolean prometheusEnabled, String prometheusPath) {}

    /** The {@code proxy} section: the upstreams of a pull-through cache, none when the registry is no cache. */
    public record Proxy(List<Remote> remotes) {
        public boolean enabled() {
            return !remotes.isEmpty();
        }
    }

    /**
     * One upstream: {@code proxy.remoteurl} (name null) or an entry of {@code proxy.remotes}; {@code ttl}
     * zero never expires; username and password are null for anonymous pulls.
     */
    public record Remote(String name, URI remoteUrl, String username, String password, Duration ttl) {
        /** Never the password: settings end up in logs. */
        @Override
        public String toString() {
            return "Remote[name=" + name + ", remoteUrl=" + remoteUrl + ", username=" + username + ", ttl=" + ttl + "]";
        }
    }

    /** The {@code redis} section: the one Redis of the shared descriptor cache. */
    public record Redis(String addr, String username, String password, int db, Duration dialTimeout,
            Duration readTimeout, boolean tls) {

        /** Never the password: settings end up in logs. */
        @Override
        public String toString() {
            return "Redis[addr=" + addr + ", db=" + db + ", tls=" + tls + "]";
        }
    }

    /**
     * The {@code notifications} section: the enabled endpoints (none when it is off), whether manifest
     * events list references, and Berth's outbox: events each endpoint may have waiting before the
     * oldest are dropped, and this replica's name in storage (empty: the host name).
     */
    public record Notifications(boolean includeReferences, List<Endpoint> endpoints, long maxEvents, String instance) {}

    /**
     * One enabled {@code notifications.endpoints} entry, Distribution's defaults filled in;
     * {@code ignoredMediaTypes} joins {@code ignoredmediatypes} and {@code ignore.mediatypes}.
     */
    public record Endpoint(String name, URI url, Map<String, List<String>> headers, Duration timeout, int threshold,
            Duration backoff, List<String> ignoredMediaTypes, List<String> ignoredActions) {}

    /** The {@code health} section. */
    public record Health(StorageDriverCheck storageDriver) {}

    /** {@code health.storagedriver}: how often the driver is probed and after how many failures it is unhealthy. */
    public record StorageDriverCheck(boolean enabled, Duration interval, int threshold) {}

    /**
     * The {@code auth} section: {@code htpasswd} and {@code token} are null when absent, {@code tokenServer} is
     * null unless {@code auth.tokenserver.enabled} is true, {@code access} is empty without rules.
     */
    public record Auth(Htpasswd htpasswd, Token token, TokenServer tokenServer, List<AccessRule> access) {

        /** No authentication: what a configuration without an {@code auth} section gets. */
        public static final Auth NONE = new Auth(null, null, null, List.of());

        /**
         * Refuses, naming its key, a file of this section that cannot be read. Run when the server starts and
         * by {@code config check}, not at load: a configuration can be loaded where its files are not.
         */
        public void checkFiles() {
            if (htpasswd != null) {
                readable("auth.htpasswd.path", htpasswd.path());
            }
            if (token != null) {
                readable("auth.token.rootcertbundle", token.rootCertBundle());
                readable("auth.token.jwks", token.jwks());
            }
            if (tokenServer != null) {
                readable("auth.tokenserver.key", tokenServer.key());
            }
        }

        private static void readable(String key, Path file) {
            if (file != null && (!Files.isReadable(file) || Files.isDirectory(file))) {
                throw new ConfigException(key + ": cannot read file " + file
                        + (Files.isDirectory(file) ? " (a folder)" : Files.exists(file) ? "" : " (no such file)"));
            }
        }
    }

    /** {@code auth.htpasswd}: HTTP Basic against a file of bcrypt hashes. */
    public record Htpasswd(String realm, Path path) {}

    /**
     * {@code auth.token}: bearer tokens verified against the certificates of {@code rootCertBundle} and/or the
     * keys of {@code jwks} (either may be null); {@code realm} is null when not set (with {@code autoRedirect},
     * or when Berth's token server is the realm); {@code signingAlgorithms} is never empty (all allowed ones
     * when not set).
     */
    public record Token(String realm, String service, String issuer, Path rootCertBundle, Path jwks, boolean autoRedirect,
            String autoRedirectPath, List<String> signingAlgorithms) {}

    /**
     * {@code auth.tokenserver}, Berth's own token endpoint; {@code key} is null when Berth keeps a generated one,
     * {@code realm} null when it is derived from each request; service and issuer are resolved.
     */
    public record TokenServer(boolean enabled, Path key, Duration expiration, String realm, String service, String issuer) {}

    /** One {@code auth.access} rule: repository globs, user names ({@code anonymous}, {@code *}), actions. */
    public record AccessRule(List<String> repositories, List<String> users, List<String> actions) {}

    /** The embedded default, a file when given, then the environment's overrides. */
    public static Config load(Path file, Map<String, String> environment) {
        Settings settings = ConfigLoader.load(file, environment);
        Values v = new Values(settings);
        if (!v.text("version").equals("0.1")) {
            throw v.error("version", "Berth reads configuration version 0.1, as Distribution writes it");
        }
        Storage storage = StorageSection.read(v);
        Redis redis = RedisSection.read(v);
        if (storage.cache().blobDescriptor().equals("redis") && redis == null) {
            throw v.error("storage.cache.blobdescriptor", "redis needs a redis section with at least redis.addr");
        }
        Config config = new Config(LogSection.read(v), storage, HttpSection.read(v), redis, HealthSection.read(v),
                AuthSection.read(v), ProxySection.read(v), NotificationsSection.read(v), ConfigRenderer.effective(settings),
                ConfigRenderer.unacted(settings));
        return config;
    }

    /** The effective configuration as YAML, for {@code berth config check}; unacted keys are listed in a closing comment. */
    public String effectiveYaml() {
        return ConfigRenderer.yaml(effective, unacted);
    }

    /** The one start-up warning naming every key given that Berth does not act on; empty when there is none. */
    public Optional<String> unactedWarning() {
        return unacted.isEmpty() ? Optional.empty()
                : Optional.of(ConfigRenderer.UNACTED + ": " + String.join(", ", unacted));
    }
}
