package io.berth.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.storage.cache.RedisSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Berth's configuration, in Distribution's {@code config.yml} format and with its
 * {@code REGISTRY_<KEY>_<SUBKEY>} environment overrides. Loaded once, validated, immutable.
 */
public record Config(Http http, Storage storage, RedisSettings redis) {

    /** The {@code http} section. */
    public record Http(InetSocketAddress address, String secret) {}

    /** The {@code storage} section. */
    public record Storage(String driver, Path rootDirectory, boolean deleteEnabled, UploadPurging uploadPurging, Cache cache) {}

    /** {@code storage.cache}: the descriptor cache, {@code ""} (none), {@code inmemory} or {@code redis}. */
    public record Cache(String blobDescriptor, long blobDescriptorSize) {}

    /** {@code storage.maintenance.uploadpurging}: removal of abandoned uploads. */
    public record UploadPurging(boolean enabled, Duration age, Duration interval, boolean dryRun) {}

    /** Every key understood so far, as dotted paths; anything else in a file is refused. */
    private static final Set<String> KEYS = Set.of(
            "version",
            "http.addr", "http.secret",
            "storage.filesystem.rootdirectory", "storage.inmemory",
            "storage.delete.enabled",
            "storage.maintenance.uploadpurging.enabled", "storage.maintenance.uploadpurging.age",
            "storage.maintenance.uploadpurging.interval", "storage.maintenance.uploadpurging.dryrun",
            "storage.cache.blobdescriptor", "storage.cache.blobdescriptorsize",
            "redis.addr", "redis.username", "redis.password", "redis.db", "redis.dialtimeout", "redis.readtimeout",
            "redis.writetimeout", "redis.pool.maxidle", "redis.pool.maxactive", "redis.pool.idletimeout", "redis.tls.enabled");

    private static final String DEFAULTS = """
            version: 0.1
            http:
              addr: 127.0.0.1:5000
            storage:
              filesystem:
                rootdirectory: ./data
              delete:
                enabled: false
              maintenance:
                uploadpurging:
                  enabled: true
                  age: 168h
                  interval: 24h
                  dryrun: false
            """;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The embedded default, a file when given, then the environment's overrides. */
    public static Config load(Path file, Map<String, String> environment) {
        ObjectNode tree = read(DEFAULTS, "embedded default");
        if (file != null) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
            }
            ObjectNode fromFile = read(text, file.toString());
            checkKeys(fromFile, "", file.toString());
            if (fromFile.has("storage") && (fromFile.path("storage").has("inmemory") || fromFile.path("storage").has("filesystem"))) {
                ((ObjectNode) tree.get("storage")).remove("filesystem");
            }
            merge(tree, fromFile);
        }
        applyEnvironment(tree, environment);
        return fromTree(tree);
    }

    private static ObjectNode read(String text, String source) {
        try {
            JsonNode node = YAML.readTree(text);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException(source + ": the configuration must be a mapping of keys");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage());
        }
    }

    private static void checkKeys(JsonNode node, String prefix, String source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (KEYS.contains(key)) {
                continue;
            }
            if (field.getValue().isObject() && KEYS.stream().anyMatch(k -> k.startsWith(key + "."))) {
                checkKeys(field.getValue(), key, source);
            } else {
                throw new ConfigException(source + ": unknown configuration key " + key);
            }
        }
    }

    private static void merge(ObjectNode into, JsonNode from) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = into.get(field.getKey());
            if (existing instanceof ObjectNode target && field.getValue().isObject()) {
                merge(target, field.getValue());
            } else {
                into.set(field.getKey(), field.getValue());
            }
        }
    }

    /** {@code REGISTRY_STORAGE_DELETE_ENABLED=true} sets {@code storage.delete.enabled}, as in Distribution. */
    private static void applyEnvironment(ObjectNode tree, Map<String, String> environment) {
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            if (!e.getKey().startsWith("REGISTRY_")) {
                continue;
            }
            String key = e.getKey().substring("REGISTRY_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
            if (key.equals("storage")) {
                ObjectNode storage = (ObjectNode) tree.get("storage");
                storage.remove("filesystem");
                storage.remove("inmemory");
                storage.putObject(e.getValue().toLowerCase(Locale.ROOT));
            } else if (KEYS.contains(key)) {
                String[] parts = key.split("\\.");
                ObjectNode node = tree;
                for (int i = 0; i < parts.length - 1; i++) {
                    node = node.get(parts[i]) instanceof ObjectNode child ? child : node.putObject(parts[i]);
                }
                node.put(parts[parts.length - 1], e.getValue());
            }
        }
    }

    private static Config fromTree(JsonNode tree) {
        JsonNode http = tree.path("http");
        JsonNode storage = tree.path("storage");
        String driver;
        Path root = null;
        if (storage.has("inmemory")) {
            driver = "inmemory";
        } else if (storage.has("filesystem")) {
            driver = "filesystem";
            root = Path.of(text(storage.path("filesystem"), "rootdirectory", "storage.filesystem.rootdirectory", "./data"));
        } else {
            throw new ConfigException("storage: name one driver, filesystem or inmemory");
        }
        JsonNode purging = storage.path("maintenance").path("uploadpurging");
        Cache cache = cache(storage.path("cache"));
        RedisSettings redis = redis(tree.path("redis"));
        if (cache.blobDescriptor().equals("redis") && redis == null) {
            throw new ConfigException("storage.cache.blobdescriptor is redis, but there is no redis section (redis.addr)");
        }
        return new Config(
                new Http(address(text(http, "addr", "http.addr", "127.0.0.1:5000")), text(http, "secret", "http.secret", "")),
                new Storage(driver, root,
                        bool(storage.path("delete"), "enabled", "storage.delete.enabled"),
                        new UploadPurging(
                                bool(purging, "enabled", "storage.maintenance.uploadpurging.enabled"),
                                duration(purging, "age", "storage.maintenance.uploadpurging.age"),
                                duration(purging, "interval", "storage.maintenance.uploadpurging.interval"),
                                bool(purging, "dryrun", "storage.maintenance.uploadpurging.dryrun")),
                        cache),
                redis);
    }

    private static Cache cache(JsonNode cache) {
        String kind = text(cache, "blobdescriptor", "storage.cache.blobdescriptor", "").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("", "inmemory", "redis").contains(kind)) {
            throw new ConfigException("storage.cache.blobdescriptor: expected inmemory or redis, got \"" + kind + "\"");
        }
        long size = number(cache, "blobdescriptorsize", "storage.cache.blobdescriptorsize", 10_000);
        if (size <= 0) {
            throw new ConfigException("storage.cache.blobdescriptorsize: expected a positive number of entries, got " + size);
        }
        return new Cache(kind, size);
    }

    /** The {@code redis} section, or null when there is none. */
    private static RedisSettings redis(JsonNode redis) {
        if (!redis.isObject()) {
            return null;
        }
        String addr = text(redis, "addr", "redis.addr", "");
        if (addr.isBlank()) {
            throw new ConfigException("redis.addr: expected host:port of the redis server");
        }
        JsonNode pool = redis.path("pool");
        return new RedisSettings(addr, text(redis, "username", "redis.username", ""), text(redis, "password", "redis.password", ""),
                (int) number(redis, "db", "redis.db", 0),
                duration(redis, "dialtimeout", "redis.dialtimeout"),
                duration(redis, "readtimeout", "redis.readtimeout"),
                duration(redis, "writetimeout", "redis.writetimeout"),
                (int) number(pool, "maxidle", "redis.pool.maxidle", 0),
                (int) number(pool, "maxactive", "redis.pool.maxactive", 0),
                duration(pool, "idletimeout", "redis.pool.idletimeout"),
                bool(redis.path("tls"), "enabled", "redis.tls.enabled"));
    }

    private static long number(JsonNode node, String field, String key, long fallback) {
        String value = text(node, field, key, Long.toString(fallback)).trim();
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": expected a whole number, got \"" + value + "\"");
        }
    }

    private static String text(JsonNode node, String field, String key, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new ConfigException(key + ": expected a value, not a section");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode node, String field, String key) {
        String value = text(node, field, key, "false").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + ": expected true or false, got \"" + value + "\"");
        };
    }

    private static Duration duration(JsonNode node, String field, String key) {
        String value = text(node, field, key, "0");
        Duration parsed = GoDuration.parse(value);
        if (parsed == null || parsed.isNegative()) {
            throw new ConfigException(key + ": expected a duration such as 168h or 30m, got \"" + value + "\"");
        }
        return parsed;
    }

    /** {@code host:port}, {@code :port} (every interface) or {@code [v6]:port}. */
    static InetSocketAddress address(String addr) {
        int colon = addr.lastIndexOf(':');
        try {
            int port = Integer.parseInt(addr.substring(colon + 1));
            String host = addr.substring(0, Math.max(colon, 0)).replace("[", "").replace("]", "");
            if (colon < 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return host.isEmpty() ? new InetSocketAddress(port) : InetSocketAddress.createUnresolved(host, port);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new ConfigException("http.addr: expected host:port or :port, got \"" + addr + "\"");
        }
    }
}
