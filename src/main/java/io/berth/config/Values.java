package io.berth.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of settings, falling back to the schema's defaults; errors name the key and where
 * it was set. Reading a key the schema lacks is a programming error and throws at once.
 */
final class Values {

    final Settings settings;

    Values(Settings settings) {
        this.settings = settings;
    }

    /** The value set for {@code key}, or null when it is not set or set empty. */
    Settings.Value get(String key) {
        Schema.require(key);
        Settings.Value value = settings.get(key);
        return value == null || value.raw() == null ? null : value;
    }

    ConfigException error(String key, String message) {
        String origin = settings.origin(key);
        return new ConfigException((origin == null ? "" : origin + ": ") + key + ": " + message);
    }

    /** Checks that a value reads as its kind. */
    void convert(String key, Schema.Key schema) {
        Settings.Value value = settings.get(key);
        if (value.raw() == null) {
            return;
        }
        switch (schema.kind()) {
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
            case RECORDS -> records(key, schema);
        }
    }

    String text(String key) {
        Settings.Value value = get(key);
        if (value == null) {
            return Schema.require(key).fallback();
        }
        if (value.raw() instanceof String text) {
            return text;
        }
        throw error(key, "expected a single value, not a " + (value.raw() instanceof List ? "list" : "section"));
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
        return address(key, text(key));
    }

    InetSocketAddress address(String key, String value) {
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
        // In the order of the keys, not Map.copyOf's order, which changes from run to run.
        return Collections.unmodifiableMap(texts);
    }

    /** A list of mappings, each holding only the schema's fields for {@code key}. */
    List<Map<String, Object>> records(String key) {
        return records(key, Schema.require(key));
    }

    private List<Map<String, Object>> records(String key, Schema.Key schema) {
        Settings.Value value = get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value.raw() instanceof List<?> items)) {
            throw error(key, "expected a list of sections");
        }
        List<Map<String, Object>> records = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> map)) {
                throw error(key, "expected a list of sections");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) map;
            for (String field : entry.keySet()) {
                if (!schema.fields().contains(field)) {
                    String closest = Suggestions.closest(field, schema.fields());
                    throw error(key, "unknown key " + field + " in an entry"
                            + (closest == null ? "" : "; did you mean " + closest + "?"));
                }
            }
            records.add(entry);
        }
        return records;
    }
}
