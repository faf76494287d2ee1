package io.berth.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Configuration values by dotted key ({@code storage.delete.enabled}), each remembering where it
 * was set, so that an error can name the file line or the environment variable.
 */
final class Settings {

    /**
     * One value: a {@link String}, a {@link List} or {@link Map} of plain values, or null for a
     * section written empty ({@code inmemory:}).
     */
    record Value(Object raw, String origin) {}

    private final SortedMap<String, Value> values = new TreeMap<>();
    /** Where each section that has keys of its own was opened, for messages about the section. */
    private final Map<String, String> sections = new TreeMap<>();

    /** Reads a YAML document; {@code source} names it in messages. */
    static Settings fromYaml(String text, String source) {
        Settings settings = new Settings();
        Node root;
        try {
            root = new Yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new ConfigException(source + " line " + (e.getProblemMark().getLine() + 1) + ": not valid YAML: "
                    + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null || root instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
            return settings;
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new ConfigException(source + " line " + line(root) + ": the configuration must be a mapping of keys");
        }
        settings.flatten(mapping, "", source);
        return settings;
    }

    private void flatten(MappingNode mapping, String prefix, String source) {
        for (NodeTuple tuple : mapping.getValue()) {
            String origin = source + " line " + line(tuple.getKeyNode());
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw new ConfigException(origin + ": a key must be a plain word");
            }
            String key = prefix.isEmpty() ? keyNode.getValue() : prefix + "." + keyNode.getValue();
            if (values.containsKey(key) || sections.containsKey(key)) {
                throw new ConfigException(origin + ": " + key + " appears twice");
            }
            Node value = tuple.getValueNode();
            if (value instanceof MappingNode child && !child.getValue().isEmpty()) {
                sections.put(key, origin);
                flatten(child, key, source);
            } else {
                values.put(key, new Value(plain(value), origin));
            }
        }
    }

    /** The value as plain Java: strings, lists and maps; null for an empty scalar or mapping. */
    private static Object plain(Node node) {
        return switch (node) {
            case ScalarNode scalar -> scalar.getTag().equals(Tag.NULL) ? null : scalar.getValue();
            case SequenceNode sequence -> sequence.getValue().stream().map(Settings::plain).toList();
            case MappingNode mapping -> {
                if (mapping.getValue().isEmpty()) {
                    yield null;
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    map.put(String.valueOf(plain(tuple.getKeyNode())), plain(tuple.getValueNode()));
                }
                yield map;
            }
            default -> null;
        };
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /** Sets or replaces every value of {@code other}. */
    void overlay(Settings other) {
        values.putAll(other.values);
        sections.putAll(other.sections);
    }

    /** Where a key, or the section it names, was set; null when it was not. */
    String origin(String key) {
        Value value = values.get(key);
        if (value != null) {
            return value.origin();
        }
        if (sections.containsKey(key)) {
            return sections.get(key);
        }
        String below = key + ".";
        return values.entrySet().stream().filter(e -> e.getKey().startsWith(below))
                .map(e -> e.getValue().origin()).findFirst().orElse(null);
    }

    void put(String key, Object raw, String origin) {
        values.put(key, new Value(raw, origin));
    }

    /** Removes {@code key} and everything under it. */
    void removeSection(String key) {
        values.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "."));
        sections.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "."));
    }

    /** Whether {@code key} or anything under it is set. */
    boolean hasSection(String key) {
        String below = key + ".";
        return values.containsKey(key) || values.keySet().stream().anyMatch(k -> k.startsWith(below));
    }

    Value get(String key) {
        return values.get(key);
    }

    /** The keys under {@code section} one level down, e.g. the drivers named under {@code storage}. */
    List<String> children(String section) {
        String below = section + ".";
        List<String> children = new ArrayList<>();
        for (String key : values.keySet()) {
            if (key.startsWith(below)) {
                String child = key.substring(below.length()).split("\\.", 2)[0];
                if (!children.contains(child)) {
                    children.add(child);
                }
            }
        }
        return children;
    }

    /** Every key with its value, sorted. */
    SortedMap<String, Value> all() {
        return values;
    }

    /** The dotted key an environment variable names: {@code REGISTRY_HTTP_ADDR} is {@code http.addr}. */
    static String keyOf(String variable) {
        return variable.substring("REGISTRY_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Reads an environment value that may be a YAML list ({@code [a, b]}); otherwise the text itself. */
    static Object environmentValue(String text, String origin) {
        String trimmed = text.strip();
        if (trimmed.startsWith("[")) {
            Settings parsed = fromYaml("value: " + trimmed, origin);
            return parsed.get("value") == null ? null : parsed.get("value").raw();
        }
        return text;
    }
}
