package io.berth.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.RegistryException;
import io.berth.storage.Paths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a stored manifest points at: its blobs (config and layers), its children (an index's
 * manifests) and its subject. Read once per digest however many repositories link it.
 *
 * @param problem why the manifest could not be read, or null: then it marks nothing but itself
 */
record References(List<Digest> blobs, List<Digest> children, Digest subject, String problem) {

    /** Reads manifests from the global store, remembering each; safe from several threads. */
    static final class Reader {

        private static final ObjectMapper JSON = new ObjectMapper();

        private final ParallelStorage storage;
        private final Map<Digest, References> read = new ConcurrentHashMap<>();

        Reader(ParallelStorage storage) {
            this.storage = storage;
        }

        References of(Digest manifest) throws IOException {
            References known = read.get(manifest);
            if (known == null) {
                known = load(manifest);
                read.put(manifest, known);
            }
            return known;
        }

        private References load(Digest digest) throws IOException {
            byte[] content = storage.content(Paths.of(new Paths.BlobData(digest)));
            if (content == null) {
                return unreadable("its bytes are missing");
            }
            try {
                // The body decides what it is: a stored manifest declares its type or has an index's shape.
                Manifest manifest = ManifestParser.parse(content, null, digest.algorithm());
                return new References(digests(manifest.blobs()), digests(manifest.children()),
                        manifest.subject() == null ? null : manifest.subject().digest(), null);
            } catch (RegistryException e) {
                References schema1 = schema1(content);
                return schema1 != null ? schema1 : unreadable(e.getMessage());
            }
        }

        /**
         * The layers of a Docker schema 1 manifest, which Berth does not serve but a root Distribution
         * wrote may hold: its {@code fsLayers} name them, and it has no config. Null for anything else.
         */
        private static References schema1(byte[] content) {
            try {
                JsonNode tree = JSON.readTree(content);
                if (tree == null || tree.path("schemaVersion").asInt() != 1) {
                    return null;
                }
                List<Digest> layers = new ArrayList<>();
                for (JsonNode layer : tree.path("fsLayers")) {
                    layers.add(Digest.parse(layer.path("blobSum").asText()));
                }
                return new References(List.copyOf(layers), List.of(), null, null);
            } catch (IOException | RegistryException e) {
                return null;
            }
        }

        private static References unreadable(String problem) {
            return new References(List.of(), List.of(), null, problem);
        }

        private static List<Digest> digests(List<Descriptor> descriptors) {
            return descriptors.stream().map(Descriptor::digest).toList();
        }
    }
}
