package io.berth.config;

import io.berth.storage.cache.RedisSettings;
import io.berth.storage.driver.s3.S3Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Berth's configuration, in Distribution's {@code config.yml} format and with its
 * {@code REGISTRY_<KEY>_<SUBKEY>} environment overrides. Loaded once, validated, immutable.
 * {@code effective} is every value in force, secrets masked, for {@code berth config check}.
 */
public record Config(Log log, Storage storage, Http http, RedisSettings redis, Health health,
        Map<String, Object> effective) {

    /** The {@code log} section. */
    public record Log(String level, String formatter, Map<String, String> fields, boolean accessLogDisabled) {}

    /** The {@code storage} section; {@code rootDirectory} is set for the filesystem driver, {@code s3} for S3. */
    public record Storage(String driver, Path rootDirectory, S3Settings s3, boolean deleteEnabled,
            UploadPurging uploadPurging, boolean readOnly, boolean redirectDisabled, Cache cache) {}

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
     * silent; upload sessions open at once, overall and per repository.
     */
    public record Limits(int connections, Duration headerTimeout, long minBodyRate, Duration idleTimeout,
            int uploads, int uploadsPerRepository) {}

    /** {@code http.tls}; {@code minimumTls} is {@code tls1.2} or {@code tls1.3}. */
    public record Tls(Path certificate, Path key, List<Path> clientCas, String minimumTls) {}

    /** {@code http.debug}; a null address means no debug server. */
    public record Debug(InetSocketAddress address, boolean prometheusEnabled, String prometheusPath) {}

    /** The {@code health} section. */
    public record Health(StorageDriverCheck storageDriver) {}

    /** {@code health.storagedriver}: how often the driver is probed and after how many failures it is unhealthy. */
    public record StorageDriverCheck(boolean enabled, Duration interval, int threshold) {}

    private static final Logger LOG = LoggerFactory.getLogger(Config.class);

    private static final String DEFAULTS = """
            version: 0.1
            http:
              addr: 127.0.0.1:5000
            storage:
              filesystem:
                rootdirectory: ./data
            """;

    private static final List<String> DRIVERS = List.of("filesystem", "inmemory", "s3");
    private static final Set<String> DISTRIBUTION_ONLY_DRIVERS = Set.of("azure", "gcs", "swift", "oss");
    private static final String MASK = "********";

    /** The embedded default, a file when given, then the environment's overrides. */
    public static Config load(Path file, Map<String, String> environment) {
        Settings settings = Settings.fromYaml(DEFAULTS, "embedded default");
        if (file != null) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
            }
            Settings fromFile = Settings.fromYaml(text, file.toString());
            if (fromFile.children("storage").stream().anyMatch(d -> DRIVERS.contains(d) || DISTRIBUTION_ONLY_DRIVERS.contains(d))) {
                DRIVERS.forEach(d -> settings.removeSection("storage." + d));
            }
            settings.overlay(fromFile);
        }
        applyEnvironment(settings, environment);
        check(settings);
        return build(new Values(settings));
    }

    /** Distribution's overrides: {@code REGISTRY_STORAGE_DELETE_ENABLED=true} sets {@code storage.delete.enabled}. */
    private static void applyEnvironment(Settings settings, Map<String, String> environment) {
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String variable = e.getKey();
            if (!variable.startsWith("REGISTRY_") || variable.equals("REGISTRY_CONFIGURATION_PATH")) {
                continue;
            }
            String origin = "environment " + variable;
            String key = Settings.keyOf(variable);
            if (key.equals("storage") || key.equals("auth")) {
                // Names the one driver or auth provider, replacing whatever the file chose.
                settings.children(key).stream()
                        .filter(child -> key.equals("auth") || DRIVERS.contains(child))
                        .forEach(child -> settings.removeSection(key + "." + child));
                settings.put(key + "." + e.getValue().toLowerCase(Locale.ROOT), null, origin);
            } else if (Schema.find(key) != null) {
                settings.put(key, Settings.environmentValue(e.getValue(), origin), origin);
            } else {
                // Kubernetes sets REGISTRY_PORT and the like for a service named registry.
                LOG.warn("ignoring {}: it names no configuration key", variable);
            }
        }
    }

    /** Refuses unknown keys and values of the wrong kind, naming the key and where it was set. */
    private static void check(Settings settings) {
        Values values = new Values(settings);
        for (Map.Entry<String, Settings.Value> e : settings.all().entrySet()) {
            String key = e.getKey();
            String origin = e.getValue().origin();
            String[] parts = key.split("\\.");
            if (parts[0].equals("storage") && parts.length > 1 && DISTRIBUTION_ONLY_DRIVERS.contains(parts[1])) {
                throw new ConfigException(settings.origin("storage." + parts[1]) + ": storage." + parts[1]
                        + ": Berth's storage drivers are filesystem, inmemory and s3");
            }
            Schema.Key schema = Schema.find(key);
            if (schema == null) {
                throw new ConfigException(origin + ": unknown configuration key " + key);
            }
            values.convert(key, schema.kind());
        }
        List<String> drivers = settings.children("storage").stream().filter(DRIVERS::contains).toList();
        if (drivers.size() != 1) {
            throw new ConfigException((drivers.isEmpty() ? "storage: name one driver" : "storage: more than one driver " + drivers)
                    + " (filesystem, inmemory or s3)");
        }
    }

    private static Config build(Values v) {
        String driver = v.settings.children("storage").stream().filter(DRIVERS::contains).findFirst().orElseThrow();
        requireVersion(v);
        Storage storage = new Storage(driver,
                driver.equals("filesystem") ? Path.of(v.text("storage.filesystem.rootdirectory")) : null,
                driver.equals("s3") ? s3(v) : null,
                v.bool("storage.delete.enabled"),
                new UploadPurging(
                        v.bool("storage.maintenance.uploadpurging.enabled"),
                        v.duration("storage.maintenance.uploadpurging.age"),
                        v.duration("storage.maintenance.uploadpurging.interval"),
                        v.bool("storage.maintenance.uploadpurging.dryrun")),
                v.bool("storage.maintenance.readonly.enabled"),
                v.bool("storage.redirect.disable"),
                new Cache(v.oneOf("storage.cache.blobdescriptor", "", "inmemory", "redis"),
                        v.positive("storage.cache.blobdescriptorsize")));
        RedisSettings redis = v.settings.hasSection("redis") ? redis(v) : null;
        if (storage.cache().blobDescriptor().equals("redis") && redis == null) {
            throw v.error("storage.cache.blobdescriptor", "redis needs a redis section with at least redis.addr");
        }
        refuseUnbuilt(v);
        return new Config(
                new Log(v.oneOf("log.level", "error", "warn", "info", "debug"),
                        v.oneOf("log.formatter", "text", "json", "logstash"),
                        v.textsUnder("log.fields"),
                        v.bool("log.accesslog.disabled")),
                storage,
                http(v),
                redis,
                new Health(new StorageDriverCheck(
                        v.bool("health.storagedriver.enabled"),
                        v.positiveDuration("health.storagedriver.interval"),
                        (int) v.positive("health.storagedriver.threshold"))),
                effective(v.settings));
    }

    private static void requireVersion(Values v) {
        if (!v.text("version").equals("0.1")) {
            throw v.error("version", "Berth reads configuration version 0.1, as Distribution writes it");
        }
    }

    private static Http http(Values v) {
        if (!v.text("http.net").equals("tcp")) {
            throw v.error("http.net", "Berth listens on tcp only");
        }
        String prefix = v.text("http.prefix");
        if (!prefix.isEmpty() && !prefix.startsWith("/")) {
            throw v.error("http.prefix", "expected a path starting with /, got \"" + prefix + "\"");
        }
        String host = v.text("http.host");
        if (!host.isEmpty()) {
            URI uri = v.uri("http.host");
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw v.error("http.host", "expected an http or https URL such as https://registry.example.com, got \"" + host + "\"");
            }
        }
        Tls tls = null;
        if (v.get("http.tls.certificate") != null || v.get("http.tls.key") != null) {
            if (v.get("http.tls.certificate") == null || v.get("http.tls.key") == null) {
                throw v.error(v.get("http.tls.certificate") == null ? "http.tls.certificate" : "http.tls.key",
                        "TLS needs both http.tls.certificate and http.tls.key");
            }
            tls = new Tls(v.readableFile("http.tls.certificate"), v.readableFile("http.tls.key"),
                    v.list("http.tls.clientcas").stream().map(p -> v.readable("http.tls.clientcas", Path.of(p))).toList(),
                    v.oneOf("http.tls.minimumtls", "tls1.2", "tls1.3"));
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : v.settings.children("http.headers")) {
            headers.put(name, v.list("http.headers." + name));
        }
        InetSocketAddress debugAddress = v.get("http.debug.addr") == null ? null : v.address("http.debug.addr");
        String metricsPath = v.text("http.debug.prometheus.path");
        if (!metricsPath.startsWith("/")) {
            throw v.error("http.debug.prometheus.path", "expected a path starting with /, got \"" + metricsPath + "\"");
        }
        if (v.bool("http.debug.prometheus.enabled") && debugAddress == null) {
            throw v.error("http.debug.prometheus.enabled", "metrics are served on the debug address: set http.debug.addr");
        }
        return new Http(v.address("http.addr"), prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix,
                host, v.text("http.secret"), tls, Map.copyOf(headers),
                new Debug(debugAddress, v.bool("http.debug.prometheus.enabled"), metricsPath),
                v.duration("http.draintimeout"), v.bool("http.http2.disabled"), limits(v));
    }

    private static Limits limits(Values v) {
        return new Limits((int) v.positive("http.limits.connections"), v.positiveDuration("http.limits.headertimeout"),
                v.integer("http.limits.minbodyrate"), v.positiveDuration("http.limits.idletimeout"),
                (int) v.positive("http.limits.uploads"), (int) v.positive("http.limits.uploadsperrepository"));
    }

    private static S3Settings s3(Values v) {
        for (String required : List.of("storage.s3.region", "storage.s3.bucket")) {
            if (v.text(required) == null || v.text(required).isEmpty()) {
                throw v.error(required, "the s3 driver needs " + required);
            }
        }
        if (!v.bool("storage.s3.v4auth")) {
            throw v.error("storage.s3.v4auth", "Berth signs S3 requests with signature version 4 only");
        }
        String rootDirectory = v.text("storage.s3.rootdirectory");
        if (!rootDirectory.isEmpty() && !rootDirectory.startsWith("/")) {
            rootDirectory = "/" + rootDirectory;
        }
        if (rootDirectory.endsWith("/")) {
            rootDirectory = rootDirectory.substring(0, rootDirectory.length() - 1);
        }
        URI endpoint = v.get("storage.s3.regionendpoint") == null ? null : v.uri("storage.s3.regionendpoint");
        if (endpoint != null && endpoint.getScheme() == null) {
            endpoint = v.uri("storage.s3.regionendpoint", (v.bool("storage.s3.secure") ? "https://" : "http://")
                    + v.text("storage.s3.regionendpoint"));
        }
        long chunkSize = v.bytes("storage.s3.chunksize");
        if (chunkSize < 5L << 20) {
            throw v.error("storage.s3.chunksize", "S3 parts are at least 5 MiB (5242880), got " + chunkSize);
        }
        long copyChunkSize = v.bytes("storage.s3.multipartcopychunksize");
        if (copyChunkSize < 5L << 20 || copyChunkSize > 5L << 30) {
            throw v.error("storage.s3.multipartcopychunksize", "S3 copies parts of 5 MiB to 5 GiB, got " + copyChunkSize);
        }
        String accessKey = v.text("storage.s3.accesskey");
        String secretKey = v.text("storage.s3.secretkey");
        if ((accessKey == null) != (secretKey == null)) {
            throw v.error(accessKey == null ? "storage.s3.secretkey" : "storage.s3.accesskey",
                    "give both storage.s3.accesskey and storage.s3.secretkey, or neither to use the default credentials");
        }
        return new S3Settings(v.text("storage.s3.region"), endpoint, v.text("storage.s3.bucket"), rootDirectory,
                accessKey, secretKey,
                v.get("storage.s3.forcepathstyle") == null ? endpoint != null : v.bool("storage.s3.forcepathstyle"),
                v.bool("storage.s3.encrypt"), chunkSize, copyChunkSize,
                (int) v.positive("storage.s3.multipartcopymaxconcurrency"),
                v.bytes("storage.s3.multipartcopythresholdsize"),
                v.bool("storage.s3.secure"), v.bool("storage.s3.skipverify"),
                v.oneOf("storage.s3.storageclass", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                        "INTELLIGENT_TIERING", "GLACIER_IR", "NONE"));
    }

    private static RedisSettings redis(Values v) {
        String addr = v.text("redis.addr");
        if (addr == null || addr.isEmpty()) {
            throw v.error("redis.addr", "the redis section needs redis.addr (host:port)");
        }
        InetSocketAddress parsed = Values.parseAddress(addr);
        if (parsed == null || parsed.getPort() == 0) {
            throw v.error("redis.addr", "expected host:port, got \"" + addr + "\"");
        }
        return new RedisSettings(addr, v.text("redis.username"), v.text("redis.password"), (int) v.integer("redis.db"),
                v.positiveDuration("redis.dialtimeout"), v.positiveDuration("redis.readtimeout"),
                v.positiveDuration("redis.writetimeout"), (int) v.integer("redis.pool.maxidle"),
                (int) v.positive("redis.pool.maxactive"), v.duration("redis.pool.idletimeout"), v.bool("redis.tls.enabled"));
    }

    /** Features Berth parses but does not have yet refuse to start rather than run without them. */
    private static void refuseUnbuilt(Values v) {
        List<String> providers = v.settings.children("auth");
        if (!providers.isEmpty()) {
            throw v.error("auth." + providers.getFirst(), "authentication is not implemented in Berth yet;"
                    + " run it behind a proxy that authenticates, or remove the auth section");
        }
        if (v.get("proxy.remoteurl") != null) {
            throw v.error("proxy.remoteurl", "pull-through caching is not implemented in Berth yet; remove the proxy section");
        }
        for (Map<String, Object> endpoint : v.records("notifications.endpoints", NOTIFICATION_KEYS)) {
            if (!"true".equals(String.valueOf(endpoint.get("disabled")))) {
                throw v.error("notifications.endpoints", "notifications are not implemented in Berth yet;"
                        + " remove endpoint \"" + endpoint.get("name") + "\" or set disabled: true");
            }
        }
    }

    private static final Set<String> NOTIFICATION_KEYS = Set.of(
            "name", "url", "disabled", "headers", "timeout", "threshold", "backoff", "ignoredmediatypes", "ignore");

    /** Every value in force, defaults included where their section is in use, secrets masked. */
    private static Map<String, Object> effective(Settings settings) {
        Map<String, Object> flat = new TreeMap<>();
        for (Schema.Key key : Schema.KEYS) {
            if (key.fallback() != null && !key.pattern().contains("*") && settings.get(key.pattern()) == null
                    && inUse(settings, key.pattern())) {
                flat.put(key.pattern(), typed(key, key.fallback()));
            }
        }
        settings.all().forEach((name, value) -> {
            Schema.Key key = Schema.find(name);
            boolean masked = key != null && key.secret() && value.raw() != null && !String.valueOf(value.raw()).isEmpty();
            flat.put(name, masked ? MASK : value.raw() == null ? new LinkedHashMap<String, Object>() : typed(key, value.raw()));
        });
        Map<String, Object> nested = new LinkedHashMap<>();
        flat.forEach((name, value) -> {
            String[] parts = name.split("\\.");
            Map<String, Object> node = nested;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
                node = child;
            }
            node.put(parts[parts.length - 1], value);
        });
        return nested;
    }

    /** Booleans and numbers printed as such rather than as quoted text. */
    private static Object typed(Schema.Key key, Object raw) {
        if (key == null || !(raw instanceof String text)) {
            return raw;
        }
        return switch (key.kind()) {
            case BOOL -> Boolean.parseBoolean(text) || text.equalsIgnoreCase("yes") || text.equalsIgnoreCase("on");
            case INT, BYTES -> text.chars().allMatch(Character::isDigit) && !text.isEmpty() && text.length() < 19
                    ? (Object) Long.parseLong(text) : text;
            default -> text;
        };
    }

    /** Whether a default belongs in the effective configuration: its optional section, if any, is present. */
    private static boolean inUse(Settings settings, String key) {
        for (String optional : List.of("storage.filesystem", "storage.s3", "redis", "http.tls", "http.debug",
                "notifications", "proxy")) {
            if (key.startsWith(optional + ".")) {
                return settings.hasSection(optional);
            }
        }
        return true;
    }

    /** The effective configuration as YAML, for {@code berth config check}. */
    public String effectiveYaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        return new Yaml(options).dump(effective);
    }

    /** Typed reads of settings, falling back to the schema's defaults; errors name the key and where it was set. */
    private static final class Values {
        final Settings settings;

        Values(Settings settings) {
            this.settings = settings;
        }

        Settings.Value get(String key) {
            Settings.Value value = settings.get(key);
            return value == null || value.raw() == null ? null : value;
        }

        ConfigException error(String key, String message) {
            String origin = settings.origin(key);
            return new ConfigException((origin == null ? "" : origin + ": ") + key + ": " + message);
        }

        /** Checks that a value reads as its kind. */
        void convert(String key, Schema.Kind kind) {
            Settings.Value value = settings.get(key);
            if (value.raw() == null) {
                return;
            }
            switch (kind) {
                case TEXT, SECRET -> text(key);
                case BOOL -> bool(key);
                case INT -> integer(key);
                case BYTES -> bytes(key);
                case DURATION -> duration(key);
                case ADDRESS -> address(key);
                case LIST -> list(key);
                case SECTION -> {
                    if (!(value.raw() instanceof Map)) {
                        throw error(key, "expected a section of keys, got \"" + value.raw() + "\"");
                    }
                }
                case RECORDS -> records(key, null);
            }
        }

        private String raw(String key) {
            Settings.Value value = get(key);
            if (value == null) {
                Schema.Key schema = Schema.find(key);
                return schema == null ? null : schema.fallback();
            }
            if (value.raw() instanceof String text) {
                return text;
            }
            throw error(key, "expected a single value, not a " + (value.raw() instanceof List ? "list" : "section"));
        }

        String text(String key) {
            return raw(key);
        }

        String oneOf(String key, String... allowed) {
            String value = text(key);
            for (String candidate : allowed) {
                if (candidate.equalsIgnoreCase(value)) {
                    return candidate;
                }
            }
            throw error(key, "expected one of " + String.join(", ", List.of(allowed).stream()
                    .map(a -> a.isEmpty() ? "nothing" : a).toList()) + ", got \"" + value + "\"");
        }

        boolean bool(String key) {
            String value = text(key);
            return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw error(key, "expected true or false, got \"" + value + "\"");
            };
        }

        long integer(String key) {
            String value = text(key);
            try {
                long parsed = Long.parseLong(value);
                if (parsed < 0) {
                    throw new NumberFormatException();
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw error(key, "expected a whole number of 0 or more, got \"" + value + "\"");
            }
        }

        long positive(String key) {
            long value = integer(key);
            if (value == 0 || value > Integer.MAX_VALUE) {
                throw error(key, "expected a number from 1 to " + Integer.MAX_VALUE + ", got " + value);
            }
            return value;
        }

        long bytes(String key) {
            String value = text(key);
            long parsed = ByteSize.parse(value);
            if (parsed < 0) {
                throw error(key, "expected a size in bytes such as 10485760 or 10MiB, got \"" + value + "\"");
            }
            return parsed;
        }

        Duration duration(String key) {
            String value = text(key);
            Duration parsed = GoDuration.parse(value);
            if (parsed == null || parsed.isNegative()) {
                throw error(key, "expected a duration such as 168h, 30m or 500ms, got \"" + value + "\"");
            }
            return parsed;
        }

        Duration positiveDuration(String key) {
            Duration value = duration(key);
            if (value.isZero()) {
                throw error(key, "expected a duration above zero");
            }
            return value;
        }

        InetSocketAddress address(String key) {
            String value = text(key);
            InetSocketAddress parsed = parseAddress(value);
            if (parsed == null) {
                throw error(key, "expected host:port or :port, got \"" + value + "\"");
            }
            return parsed;
        }

        /** {@code host:port}, {@code :port} (every interface) or {@code [v6]:port}; null when it is neither. */
        static InetSocketAddress parseAddress(String addr) {
            int colon = addr.lastIndexOf(':');
            try {
                int port = Integer.parseInt(addr.substring(colon + 1));
                String host = addr.substring(0, Math.max(colon, 0)).replace("[", "").replace("]", "");
                if (colon < 0 || port < 0 || port > 65535) {
                    return null;
                }
                return host.isEmpty() ? new InetSocketAddress(port) : InetSocketAddress.createUnresolved(host, port);
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                return null;
            }
        }

        URI uri(String key) {
            return uri(key, text(key));
        }

        URI uri(String key, String value) {
            try {
                return new URI(value);
            } catch (URISyntaxException e) {
                throw error(key, "expected a URL, got \"" + value + "\"");
            }
        }

        Path readableFile(String key) {
            return readable(key, Path.of(text(key)));
        }

        Path readable(String key, Path path) {
            if (!Files.isReadable(path) || Files.isDirectory(path)) {
                throw error(key, "cannot read file " + path);
            }
            return path;
        }

        List<String> list(String key) {
            Settings.Value value = get(key);
            if (value == null) {
                return List.of();
            }
            if (value.raw() instanceof String single) {
                return List.of(single);
            }
            if (value.raw() instanceof List<?> items && items.stream().allMatch(i -> i instanceof String)) {
                return items.stream().map(String.class::cast).toList();
            }
            throw error(key, "expected a list of values such as [a, b]");
        }

        Map<String, String> textsUnder(String section) {
            Map<String, String> texts = new LinkedHashMap<>();
            for (String name : settings.children(section)) {
                texts.put(name, text(section + "." + name));
            }
            return Map.copyOf(texts);
        }

        /** A list of mappings whose keys must be among {@code allowed} (any, when null). */
        List<Map<String, Object>> records(String key, Set<String> allowed) {
            Settings.Value value = get(key);
            if (value == null) {
                return List.of();
            }
            List<Map<String, Object>> records = new ArrayList<>();
            if (value.raw() instanceof List<?> items) {
                for (Object item : items) {
                    if (!(item instanceof Map<?, ?> map)) {
                        throw error(key, "expected a list of sections, one per endpoint");
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> entry = (Map<String, Object>) map;
                    for (String field : entry.keySet()) {
                        if (allowed != null && !allowed.contains(field)) {
                            throw error(key, "unknown key " + field + " in an endpoint");
                        }
                    }
                    records.add(entry);
                }
                return records;
            }
            throw error(key, "expected a list of sections, one per endpoint");
        }
    }
}
