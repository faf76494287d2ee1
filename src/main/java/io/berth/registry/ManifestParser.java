package io.berth.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and validates manifests of the four kinds the registry stores: OCI and Docker images and indexes. */
public final class ManifestParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    private static final Set<String> SCHEMA1 = Set.of(MediaTypes.DOCKER_SCHEMA1, MediaTypes.DOCKER_SCHEMA1_SIGNED);

    private ManifestParser() {}

    /**
     * Validates a pushed manifest. {@code contentType} is the request's; when the body names its own
     * media type the two must agree, when neither does the shape of the body decides.
     */
    public static Manifest parse(byte[] content, String contentType, Digest.Algorithm algorithm) {
        JsonNode root = tree(content);
        if (!root.path("schemaVersion").isIntegralNumber() || root.path("schemaVersion").asInt() != 2) {
            String header = MediaTypes.bare(contentType);
            if (SCHEMA1.contains(header) || root.path("schemaVersion").asInt() == 1) {
                throw invalid("Docker schema 1 manifests are not supported; push schema 2 or OCI");
            }
            throw invalid("schemaVersion must be 2");
        }
        String mediaType = mediaType(root, MediaTypes.bare(contentType));
        boolean declared = root.hasNonNull("mediaType");
        Map<String, String> annotations = annotations(root.get("annotations"));
        Descriptor subject = root.has("subject") ? descriptor(root.get("subject"), "subject") : null;
        String declaredArtifactType = text(root, "artifactType");
        Digest digest = Digest.of(algorithm, content);
        if (MediaTypes.isIndex(mediaType)) {
            List<Descriptor> children = descriptors(root.get("manifests"), "manifests", false);
            return new Manifest(content, digest, mediaType, declared, List.of(), children, subject, declaredArtifactType, annotations);
        }
        Descriptor config = descriptor(root.get("config"), "config");
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(config);
        blobs.addAll(descriptors(root.get("layers"), "layers", true));
        String artifactType = declaredArtifactType != null ? declaredArtifactType : config.mediaType();
        return new Manifest(content, digest, mediaType, declared, List.copyOf(blobs), List.of(), subject, artifactType, annotations);
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

    /** The media type of a manifest that declares none, from its shape. */
    public static String sniffMediaType(byte[] content) {
        try {
            return JSON.readTree(content).has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        } catch (IOException e) {
            return MediaTypes.OCI_MANIFEST;
        }
    }

    /** The child manifests an index lists, with their platforms, leniently: for choosing one to serve. */
    public static List<Map.Entry<Descriptor, String>> platforms(byte[] index) {
        List<Map.Entry<Descriptor, String>> result = new ArrayList<>();
        for (JsonNode child : tree(index).path("manifests")) {
            JsonNode platform = child.path("platform");
            result.add(Map.entry(descriptor(child, "manifests"), platform.path("os").asText() + "/" + platform.path("architecture").asText()));
        }
        return result;
    }

    private static JsonNode tree(byte[] content) {
        try {
            JsonNode root = JSON.readTree(content);
            if (root == null || !root.isObject()) {
                throw invalid("a manifest must be a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
    }

    private static String mediaType(JsonNode root, String header) {
        String declared = text(root, "mediaType");
        boolean headerIsManifest = header != null && (MediaTypes.isImage(header) || MediaTypes.isIndex(header));
        if (declared != null && headerIsManifest && !declared.equals(header)) {
            throw invalid("the manifest's mediaType " + declared + " contradicts its Content-Type " + header);
        }
        String mediaType = declared != null ? declared : headerIsManifest ? header : root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        if (SCHEMA1.contains(mediaType)) {
            throw invalid("Docker schema 1 manifests are not supported; push schema 2 or OCI");
        }
        if (!MediaTypes.isImage(mediaType) && !MediaTypes.isIndex(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType);
        }
        return mediaType;
    }

    private static List<Descriptor> descriptors(JsonNode array, String field, boolean skipForeign) {
        if (array == null || !array.isArray()) {
            throw invalid(field + " must be an array of descriptors");
        }
        List<Descriptor> result = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            Descriptor descriptor = descriptor(node, field);
            // Foreign layers live at their URLs, not in the registry.
            if (!(skipForeign && node.path("urls").isArray() && !node.path("urls").isEmpty())) {
                result.add(descriptor);
            }
        }
        return List.copyOf(result);
    }

    private static Descriptor descriptor(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw invalid(field + ": a descriptor must be an object");
        }
        String mediaType = text(node, "mediaType");
        if (mediaType == null || mediaType.isBlank()) {
            throw invalid(field + ": descriptor without a mediaType");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToExactIntegral() || !size.canConvertToLong() || size.asLong() < 0) {
            throw invalid(field + ": descriptor size must be a non-negative integer");
        }
        Digest digest;
        try {
            digest = Digest.parse(text(node, "digest"));
        } catch (RegistryException e) {
            throw invalid(field + ": " + e.getMessage());
        }
        return new Descriptor(digest, size.asLong(), mediaType);
    }

    private static Map<String, String> annotations(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid("annotations must be an object of strings");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw invalid("annotation " + entry.getKey() + " must be a string");
            }
            result.put(entry.getKey(), entry.getValue().asText());
        }
        return result;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return value.asText();
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(new RegistryError.ManifestInvalid(message));
    }
}
