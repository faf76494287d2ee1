package io.berth.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The effective configuration for {@code berth config check}: every value Berth acts on, defaults
 * included where their section is in use, secrets masked; keys accepted but not acted on are only
 * named, in a closing comment, so that none of their values (passwords among them) is printed.
 */
final class ConfigRenderer {

    /** How the keys Berth does not act on are introduced, in the start-up warning and in {@code config check}. */
    static final String UNACTED = "accepted, not acted on";

    private static final String MASK = "********";
    /** Sections whose defaults are shown only when the section is present. */
    private static final List<String> OPTIONAL_SECTIONS = List.of("storage.filesystem", "storage.s3", "redis", "http.tls",
            "http.debug", "auth.htpasswd", "auth.token", "auth.tokenserver", "notifications");

    private ConfigRenderer() {}

    /** The keys given that Berth accepts without acting on them, sorted. */
    static List<String> unacted(Settings settings) {
        return settings.all().keySet().stream().filter(key -> !Schema.require(key).acted()).toList();
    }

    /** Every value in force as nested maps. */
    static Map<String, Object> effective(Settings settings) {
        Map<String, Object> flat = new TreeMap<>();
        for (Schema.Key key : Schema.KEYS) {
            if (key.acted() && key.fallback() != null && !key.pattern().contains("*")
                    && settings.get(key.pattern()) == null && inUse(settings, key.pattern())) {
                flat.put(key.pattern(), typed(key, key.fallback()));
            }
        }
        settings.all().forEach((name, value) -> {
            Schema.Key key = Schema.require(name);
            if (!key.acted() || !inUse(settings, name)) {
                return;
            }
            boolean masked = key.secret() && value.raw() != null && !String.valueOf(value.raw()).isEmpty();
            Object raw = name.equals("notifications.endpoints") ? maskHeaders(value.raw()) : value.raw();
            flat.put(name, masked ? MASK : raw == null ? new LinkedHashMap<String, Object>()
                    : key.kind() == Schema.Kind.RECORDS ? passwordsMasked(raw) : typed(key, raw));
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

    /** The effective configuration as YAML, then a comment naming the keys not acted on. */
    static String yaml(Map<String, Object> effective, List<String> unacted) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        StringBuilder out = new StringBuilder(new Yaml(options).dump(effective));
        if (!unacted.isEmpty()) {
            out.append("# ").append(UNACTED).append(" (Distribution's keys that Berth ignores):\n");
            unacted.forEach(key -> out.append("#   ").append(key).append('\n'));
        }
        return out.toString();
    }

    /** A list of records (such as {@code proxy.remotes}) with the value of every {@code password} field masked. */
    private static Object passwordsMasked(Object raw) {
        if (!(raw instanceof List<?> records)) {
            return raw;
        }
        return records.stream().map(record -> {
            if (!(record instanceof Map<?, ?> fields) || fields.get("password") == null) {
                return record;
            }
            Map<Object, Object> copy = new LinkedHashMap<>(fields);
            copy.put("password", MASK);
            return copy;
        }).toList();
    }

    /** Endpoints with their header values masked: they often carry a token. */
    private static Object maskHeaders(Object endpoints) {
        if (!(endpoints instanceof List<?> list)) {
            return endpoints;
        }
        return list.stream().map(entry -> {
            if (!(entry instanceof Map<?, ?> map) || !(map.get("headers") instanceof Map<?, ?> headers)) {
                return entry;
            }
            Map<Object, Object> copy = new LinkedHashMap<>(map);
            Map<Object, Object> masked = new LinkedHashMap<>();
            headers.keySet().forEach(header -> masked.put(header, List.of(MASK)));
            copy.put("headers", masked);
            return copy;
        }).toList();
    }

    /** Booleans and numbers printed as such rather than as quoted text. */
    private static Object typed(Schema.Key key, Object raw) {
        if (!(raw instanceof String text)) {
            return raw;
        }
        return switch (key.kind()) {
            case BOOL -> Boolean.parseBoolean(text) || text.equalsIgnoreCase("yes") || text.equalsIgnoreCase("on");
            case INT, BYTES -> text.chars().allMatch(Character::isDigit) && !text.isEmpty() && text.length() < 19
                    ? (Object) Long.parseLong(text) : text;
            default -> text;
        };
    }

    private static boolean inUse(Settings settings, String key) {
        if (key.startsWith("proxy.")) {
            // As in Distribution, the section is in force only with an upstream: credentials alone turn nothing on.
            return settings.get("proxy.remoteurl") != null || settings.get("proxy.remotes") != null;
        }
        for (String optional : OPTIONAL_SECTIONS) {
            if (key.startsWith(optional + ".")) {
                return settings.hasSection(optional);
            }
        }
        return true;
    }
}
