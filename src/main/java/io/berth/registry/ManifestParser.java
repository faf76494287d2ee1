package io.berth.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and validates manifests of the four kinds the registry stores: OCI and Docker images and
 * indexes. A pushed manifest is read in one streaming pass by {@link StrictJson}, which bounds it
 * and takes only JSON that Go clients read the same way; no tree of it is built.
 */
public final class ManifestParser {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Set<String> SCHEMA1 = Set.of(MediaTypes.DOCKER_SCHEMA1, MediaTypes.DOCKER_SCHEMA1_SIGNED);
    /** The keys Go's manifest and descriptor structs decode, which also take any other casing of them. */
    private static final List<String> MANIFEST_KEYS =
            List.of("schemaVersion", "mediaType", "artifactType", "config", "layers", "manifests", "subject", "annotations");
    private static final List<String> DESCRIPTOR_KEYS =
            List.of("mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType", "data");

    private ManifestParser() {}

    /** A descriptor as listed in a manifest: foreign when it has URLs, with the platform an index entry names. */
    private record Entry(Descriptor descriptor, boolean foreign, Platform platform) {}

    /** What an index entry says it runs on; empty strings where it does not say. */
    private record Platform(String os, String architecture) {
        static final Platform NONE = new Platform("", "");
    }

    /** The fields of a manifest that the registry reads, as found in its bytes; null where absent. */
    private static final class Fields {
        boolean schemaVersionIsInteger;
        long schemaVersion;
        String mediaType;
        String artifactType;
        Entry config;
        List<Entry> layers;
        boolean manifestsPresent;
        List<Entry> manifests;
        Entry subject;
        Map<String, String> annotations = Map.of();
    }

    /**
     * Validates a pushed manifest. {@code contentType} is the request's; when the body names its own
     * media type the two must agree, when neither does the shape of the body decides.
     */
    public static Manifest parse(byte[] content, String contentType, Digest.Algorithm algorithm) {
        Fields fields = read(content);
        String header = MediaTypes.bare(contentType);
        if (!fields.schemaVersionIsInteger || fields.schemaVersion != 2) {
            if ((header != null && SCHEMA1.contains(header)) || (fields.schemaVersionIsInteger && fields.schemaVersion == 1)) {
                throw invalid("Docker schema 1 manifests are not supported; push schema 2 or OCI");
            }
            throw invalid("schemaVersion must be 2");
        }
        String mediaType = mediaType(fields, header);
        boolean declared = fields.mediaType != null;
        Descriptor subject = fields.subject == null ? null : fields.subject.descriptor();
        Digest digest = Digest.of(algorithm, content);
        if (MediaTypes.isIndex(mediaType)) {
            List<Entry> entries = required(fields.manifests, "manifests");
            List<Descriptor> children = new ArrayList<>(entries.size());
            for (Entry entry : entries) {
                children.add(entry.descriptor());
            }
            return new Manifest(content, digest, mediaType, declared, List.of(), List.copyOf(children), subject, fields.artifactType,
                    fields.annotations);
        }
        if (fields.config == null) {
            throw invalid("config: a descriptor must be an object");
        }
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(fields.config.descriptor());
        for (Entry layer : required(fields.layers, "layers")) {
            // Foreign layers live at their URLs, not in the registry.
            if (!layer.foreign()) {
                blobs.add(layer.descriptor());
            }
        }
        String artifactType = fields.artifactType != null ? fields.artifactType : fields.config.descriptor().mediaType();
        return new Manifest(content, digest, mediaType, declared, List.copyOf(blobs), List.of(), subject, artifactType, fields.annotations);
    }

    /** The media type a stored manifest declares at its top level, or null; reads no further than needed. */
    public static String declaredMediaType(byte[] content) {
        try (JsonParser parser = FACTORY.createParser(content)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("mediaType") && value == JsonToken.VALUE_STRING) {
                    return parser.getText();
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The media type of a stored manifest that declares none, from its shape: an index lists manifests. */
    public static String sniffMediaType(byte[] content) {
        try (JsonParser parser = FACTORY.createParser(content)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    if (parser.currentName().equals("manifests")) {
                        return MediaTypes.OCI_INDEX;
                    }
                    parser.nextToken();
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            // not JSON: served as what it most likely is
        }
        return MediaTypes.OCI_MANIFEST;
    }

    /** The child manifests an index lists, with their platforms ({@code os/architecture}): for choosing one to serve. */
    public static List<Map.Entry<Descriptor, String>> platforms(byte[] index) {
        List<Map.Entry<Descriptor, String>> result = new ArrayList<>();
        for (Entry child : required(read(index).manifests, "manifests")) {
            result.add(Map.entry(child.descriptor(), child.platform().os() + "/" + child.platform().architecture()));
        }
        return result;
    }

    private static Fields read(byte[] content) {
        try (StrictJson json = StrictJson.over(content)) {
            if (json.next() != JsonToken.START_OBJECT) {
                throw invalid("a manifest must be a JSON object");
            }
            Fields fields = new Fields();
            StrictJson.Keys keys = new StrictJson.Keys();
            while (json.next() == JsonToken.FIELD_NAME) {
                String key = json.name();
                json.next();
                keys.add(field(json, key, fields), key);
            }
            json.finish();
            return fields;
        }
    }

    /** Reads the value of one top-level key into {@code fields}; returns the key's bit, 0 for a key the registry does not read. */
    private static int field(StrictJson json, String key, Fields fields) {
        switch (key) {
            case "schemaVersion" -> {
                fields.schemaVersionIsInteger = json.isInteger();
                if (json.current() == JsonToken.VALUE_NUMBER_INT || json.current() == JsonToken.VALUE_NUMBER_FLOAT) {
                    fields.schemaVersion = json.integer(null, "schemaVersion");
                }
                return 1;
            }
            case "mediaType" -> {
                fields.mediaType = json.string(null, "mediaType");
                return 2;
            }
            case "artifactType" -> {
                fields.artifactType = json.string(null, "artifactType");
                return 4;
            }
            case "config" -> {
                fields.config = json.current() == JsonToken.VALUE_NULL ? null : descriptor(json, "config");
                return 8;
            }
            case "layers" -> {
                fields.layers = descriptors(json, "layers");
                return 16;
            }
            case "manifests" -> {
                fields.manifestsPresent = true;
                fields.manifests = descriptors(json, "manifests");
                return 32;
            }
            case "subject" -> {
                fields.subject = json.current() == JsonToken.VALUE_NULL ? null : descriptor(json, "subject");
                return 64;
            }
            case "annotations" -> {
                fields.annotations = annotations(json);
                return 128;
            }
            default -> {
                unknown(json, key, MANIFEST_KEYS);
                return 0;
            }
        }
    }

    private static String mediaType(Fields fields, String header) {
        String declared = fields.mediaType;
        boolean headerIsManifest = header != null && (MediaTypes.isImage(header) || MediaTypes.isIndex(header));
        if (declared != null && headerIsManifest && !declared.equals(header)) {
            throw invalid("the manifest's mediaType " + declared + " contradicts its Content-Type " + header);
        }
        String mediaType = declared != null ? declared
                : headerIsManifest ? header : fields.manifestsPresent ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        if (SCHEMA1.contains(mediaType)) {
            throw invalid("Docker schema 1 manifests are not supported; push schema 2 or OCI");
        }
        if (!MediaTypes.isImage(mediaType) && !MediaTypes.isIndex(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType);
        }
        return mediaType;
    }

    private static List<Entry> required(List<Entry> entries, String field) {
        if (entries == null) {
            throw invalid(field + " must be an array of descriptors");
        }
        return entries;
    }

    /** An array of descriptors, or null for JSON null. */
    private static List<Entry> descriptors(StrictJson json, String field) {
        if (json.current() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (json.current() != JsonToken.START_ARRAY) {
            throw invalid(field + " must be an array of descriptors");
        }
        List<Entry> result = new ArrayList<>();
        while (json.next() != JsonToken.END_ARRAY) {
            result.add(descriptor(json, field));
        }
        return result;
    }

    private static Entry descriptor(StrictJson json, String field) {
        if (json.current() != JsonToken.START_OBJECT) {
            throw invalid(field + ": a descriptor must be an object");
        }
        String mediaType = null;
        String digest = null;
        long size = -1; // absent, or null: refused below as a negative one is
        boolean foreign = false;
        Platform platform = Platform.NONE;
        StrictJson.Keys keys = new StrictJson.Keys();
        while (json.next() == JsonToken.FIELD_NAME) {
            String key = json.name();
            json.next();
            int bit = 0;
            switch (key) {
                case "mediaType" -> { mediaType = json.string(field, "mediaType"); bit = 1; }
                case "digest" -> { digest = json.string(field, "digest"); bit = 2; }
                case "size" -> { size = json.current() == JsonToken.VALUE_NULL ? -1 : json.integer(field, "descriptor size"); bit = 4; }
                case "urls" -> { foreign = urls(json, field); bit = 8; }
                case "platform" -> { platform = platform(json, field); bit = 16; }
                default -> unknown(json, key, DESCRIPTOR_KEYS);
            }
            keys.add(bit, key);
        }
        if (mediaType == null || mediaType.isBlank()) {
            throw invalid(field + ": descriptor without a mediaType");
        }
        if (size < 0) {
            throw invalid(field + ": descriptor size must be a non-negative integer");
        }
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (RegistryException e) {
            throw invalid(field + ": " + e.getMessage());
        }
        return new Entry(new Descriptor(parsed, size, mediaType), foreign, platform);
    }

    /** Reads a descriptor's URLs; true when there is at least one. */
    private static boolean urls(StrictJson json, String field) {
        if (json.current() == JsonToken.VALUE_NULL) {
            return false;
        }
        if (json.current() != JsonToken.START_ARRAY) {
            throw invalid(field + ": urls must be an array of strings");
        }
        boolean any = false;
        while (json.next() != JsonToken.END_ARRAY) {
            json.string(field, "urls");
            any = true;
        }
        return any;
    }

    private static Platform platform(StrictJson json, String field) {
        if (json.current() == JsonToken.VALUE_NULL) {
            return Platform.NONE;
        }
        if (json.current() != JsonToken.START_OBJECT) {
            throw invalid(field + ": platform must be an object");
        }
        String os = "";
        String architecture = "";
        StrictJson.Keys keys = new StrictJson.Keys();
        while (json.next() == JsonToken.FIELD_NAME) {
            String key = json.name();
            json.next();
            int bit = 0;
            switch (key) {
                case "os" -> { os = Objects.requireNonNullElse(json.string(field, "platform os"), ""); bit = 1; }
                case "architecture" -> { architecture = Objects.requireNonNullElse(json.string(field, "platform architecture"), ""); bit = 2; }
                default -> json.skip();
            }
            keys.add(bit, key);
        }
        return new Platform(os, architecture);
    }

    private static Map<String, String> annotations(StrictJson json) {
        if (json.current() == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (json.current() != JsonToken.START_OBJECT) {
            throw invalid("annotations must be an object of strings");
        }
        Map<String, String> result = new LinkedHashMap<>();
        while (json.next() == JsonToken.FIELD_NAME) {
            String key = json.name();
            json.next();
            if (json.current() != JsonToken.VALUE_STRING) {
                throw invalid("annotation " + StrictJson.shown(key) + " must be a string");
            }
            if (result.put(key, json.string(null, key)) != null) {
                throw StrictJson.repeated(key);
            }
        }
        return result;
    }

    /**
     * Skips a key the registry does not read, unless Go's decoder would take it for one it does:
     * it matches keys to struct fields ignoring case, so "MediaType" would be read as the media type.
     */
    private static void unknown(StrictJson json, String key, List<String> known) {
        for (String name : known) {
            if (name.equalsIgnoreCase(key)) {
                throw invalid("the key \"" + key + "\" differs from \"" + name + "\" only in case; clients would read it as \"" + name + "\"");
            }
        }
        json.skip();
    }

    private static RegistryException invalid(String message) {
        return StrictJson.invalid(message);
    }
}
