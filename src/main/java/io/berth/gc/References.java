package io.berth.gc;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.RegistryException;
import io.berth.storage.Paths;
import java.io.IOException;
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
                return unreadable(e.getMessage());
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
