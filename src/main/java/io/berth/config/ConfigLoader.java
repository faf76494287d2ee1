package io.berth.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layers of a configuration: the embedded default, then a file, then Distribution's
 * {@code REGISTRY_*} environment variables; then every key is checked against the schema.
 */
final class ConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    private static final String DEFAULTS = """
            version: 0.1
            http:
              addr: 127.0.0.1:5000
            storage:
              filesystem:
                rootdirectory: ./data
            """;

    private ConfigLoader() {}

    /** The settings in force, every key known and of its kind. */
    static Settings load(Path file, Map<String, String> environment) {
        Settings settings = Settings.fromYaml(DEFAULTS, "embedded default");
        if (file != null) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
            }
            Settings fromFile = Settings.fromYaml(text, file.toString());
            if (fromFile.children("storage").stream().anyMatch(StorageSection::namesDriver)) {
                StorageSection.DRIVERS.forEach(d -> settings.removeSection("storage." + d));
            }
            settings.overlay(fromFile);
        }
        applyEnvironment(settings, environment);
        check(settings);
        return settings;
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
                        .filter(child -> (key.equals("auth") ? AuthSection.PROVIDERS : StorageSection.DRIVERS).contains(child))
                        .forEach(child -> settings.removeSection(key + "." + child));
                settings.put(key + "." + e.getValue().toLowerCase(Locale.ROOT), null, origin);
            } else if (Schema.find(key) != null) {
                settings.put(key, Settings.environmentValue(e.getValue(), origin), origin);
            } else if (isListElement(key)) {
                setListElement(settings, key, e.getValue(), origin);
            } else if (Suggestions.closestKey(key) != null) {
                throw new ConfigException(origin + ": " + unknownKey(key));
            } else {
                // Kubernetes sets REGISTRY_PORT and the like for a service named registry.
                LOG.warn("ignoring {}: it names no configuration key", variable);
            }
        }
    }

    /** {@code REGISTRY_HTTP_TLS_LETSENCRYPT_HOSTS_0}: one element of a list, as Distribution allows. */
    private static boolean isListElement(String key) {
        int dot = key.lastIndexOf('.');
        Schema.Key list = dot < 0 ? null : Schema.find(key.substring(0, dot));
        return list != null && list.kind() == Schema.Kind.LIST && key.substring(dot + 1).matches("\\d{1,4}");
    }

    private static void setListElement(Settings settings, String key, String value, String origin) {
        int dot = key.lastIndexOf('.');
        String listKey = key.substring(0, dot);
        int index = Integer.parseInt(key.substring(dot + 1));
        Settings.Value current = settings.get(listKey);
        List<Object> items = new ArrayList<>();
        if (current != null && current.raw() instanceof List<?> existing) {
            items.addAll(existing);
        }
        if (index > items.size()) {
            throw new ConfigException(origin + ": " + listKey + ": element " + index + " set before element " + items.size());
        }
        if (index == items.size()) {
            items.add(value);
        } else {
            items.set(index, value);
        }
        settings.put(listKey, List.copyOf(items), origin);
    }

    /** Refuses unknown keys and values of the wrong kind, naming the key and where it was set. */
    private static void check(Settings settings) {
        Values values = new Values(settings);
        for (Map.Entry<String, Settings.Value> e : settings.all().entrySet()) {
            String key = e.getKey();
            String[] parts = key.split("\\.");
            if (parts[0].equals("storage") && parts.length > 1 && StorageSection.OTHER_DRIVERS.contains(parts[1])) {
                throw new ConfigException(settings.origin("storage." + parts[1]) + ": storage." + parts[1]
                        + ": Berth's storage drivers are filesystem, inmemory and s3");
            }
            if (parts[0].equals("auth")) {
                AuthSection.checkKey(settings, key);
            }
            Schema.Key schema = Schema.find(key);
            if (schema == null) {
                throw new ConfigException(e.getValue().origin() + ": " + unknownKey(key));
            }
            values.convert(key, schema);
        }
        List<String> drivers = settings.children("storage").stream().filter(StorageSection.DRIVERS::contains).toList();
        if (drivers.size() != 1) {
            throw new ConfigException((drivers.isEmpty() ? "storage: name one driver" : "storage: more than one driver " + drivers)
                    + " (filesystem, inmemory or s3)");
        }
    }

    private static String unknownKey(String key) {
        String closest = Suggestions.closestKey(key);
        return key + ": unknown configuration key" + (closest == null ? "" : "; did you mean " + closest + "?");
    }
}
