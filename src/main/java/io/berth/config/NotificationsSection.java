package io.berth.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code notifications}: Distribution's endpoints with its defaults (timeout 1s, threshold 10,
 * backoff 1s), and Berth's outbox bound and replica name. Disabled endpoints are left out.
 */
final class NotificationsSection {

    private static final String ENDPOINTS = "notifications.endpoints";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    private static final int DEFAULT_THRESHOLD = 10;
    private static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);

    private NotificationsSection() {}

    static Config.Notifications read(Values v) {
        List<Config.Endpoint> endpoints = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Map<String, Object>> records = v.records(ENDPOINTS);
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> record = records.get(i);
            String which = "endpoint " + (i + 1);
            String name = scalar(v, which, record, "name");
            if (name == null || name.isBlank()) {
                throw v.error(ENDPOINTS, which + " has no name");
            }
            which = "endpoint \"" + name + "\"";
            if (!names.add(name)) {
                throw v.error(ENDPOINTS, which + " is named twice; each endpoint needs a name of its own");
            }
            if (flag(v, which, record.get("disabled"))) {
                continue;
            }
            endpoints.add(endpoint(v, which, name, record));
        }
        return new Config.Notifications(v.bool("notifications.events.includereferences"), List.copyOf(endpoints),
                v.positive("notifications.outbox.maxevents"), v.text("notifications.outbox.instance"));
    }

    private static Config.Endpoint endpoint(Values v, String which, String name, Map<String, Object> record) {
        String url = scalar(v, which, record, "url");
        URI uri = url == null ? null : v.uri(ENDPOINTS, url);
        if (uri == null || uri.getHost() == null
                || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw v.error(ENDPOINTS, which + ": url must be an http or https URL, got \"" + url + "\"");
        }
        Map<String, Object> ignore = section(v, which, record.get("ignore"), "ignore");
        for (String field : ignore.keySet()) {
            if (!field.equals("mediatypes") && !field.equals("actions")) {
                throw v.error(ENDPOINTS, which + ": unknown key ignore." + field + "; ignore holds mediatypes and actions");
            }
        }
        List<String> mediaTypes = new ArrayList<>(texts(v, which, record.get("ignoredmediatypes"), "ignoredmediatypes"));
        mediaTypes.addAll(texts(v, which, ignore.get("mediatypes"), "ignore.mediatypes"));
        String threshold = scalar(v, which, record, "threshold");
        return new Config.Endpoint(name, uri, headers(v, which, record.get("headers")),
                duration(v, which, record, "timeout", DEFAULT_TIMEOUT),
                threshold == null || threshold.equals("0") ? DEFAULT_THRESHOLD : number(v, which, "threshold", threshold),
                duration(v, which, record, "backoff", DEFAULT_BACKOFF),
                List.copyOf(mediaTypes), texts(v, which, ignore.get("actions"), "ignore.actions"));
    }

    private static String scalar(Values v, String which, Map<String, Object> record, String field) {
        Object value = record.get(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw v.error(ENDPOINTS, which + ": " + field + " expects a single value");
    }

    private static boolean flag(Values v, String which, Object value) {
        String text = value == null ? "false" : String.valueOf(value).toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw v.error(ENDPOINTS, which + ": disabled expects true or false, got \"" + value + "\"");
        };
    }

    private static int number(Values v, String which, String field, String text) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw v.error(ENDPOINTS, which + ": " + field + " expects a whole number of 0 or more, got \"" + text + "\"");
    }

    /** A Go duration; a bare number is nanoseconds, as Go reads one; zero or none is the default, as in Distribution. */
    private static Duration duration(Values v, String which, Map<String, Object> record, String field, Duration fallback) {
        String text = scalar(v, which, record, field);
        if (text == null) {
            return fallback;
        }
        Duration parsed = text.matches("\\d+") ? Duration.ofNanos(Long.parseLong(text)) : GoDuration.parse(text);
        if (parsed == null || parsed.isNegative()) {
            throw v.error(ENDPOINTS, which + ": " + field + " expects a duration such as 1s or 500ms, got \"" + text + "\"");
        }
        return parsed.isZero() ? fallback : parsed;
    }

    private static Map<String, Object> section(Values v, String which, Object value, String field) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> section = new LinkedHashMap<>();
            map.forEach((key, item) -> section.put(String.valueOf(key), item));
            return section;
        }
        throw v.error(ENDPOINTS, which + ": " + field + " expects a section");
    }

    private static List<String> texts(Values v, String which, Object value, String field) {
        if (value == null) {
            return List.of();
        }
        List<?> items = value instanceof List<?> list ? list : List.of(value);
        if (!items.stream().allMatch(item -> item instanceof String)) {
            throw v.error(ENDPOINTS, which + ": " + field + " expects a list of values");
        }
        return items.stream().map(String.class::cast).toList();
    }

    /** {@code headers}: each name with a list of values (or one value), as Go's http.Header. */
    private static Map<String, List<String>> headers(Values v, String which, Object value) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        section(v, which, value, "headers").forEach((header, values) -> {
            if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw v.error(ENDPOINTS, which + ": headers: \"" + header + "\" is not a header name");
            }
            headers.put(header, texts(v, which, values, "headers." + header));
        });
        return headers;
    }
}
