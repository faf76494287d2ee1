package io.berth.gc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.berth.registry.Digest;
import io.berth.registry.RegistryException;
import io.berth.storage.Paths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stored manifest points at: its blobs (config and layers), its children (an index's
 * manifests) and its subject. Read once per digest however many repositories link it.
 *
 * @param problem why the manifest could not be read, or null: then it marks nothing but itself
 */
record References(List<Digest> blobs, List<Digest> children, Digest subject, String problem) {

    /**
     * Reads manifests from the global store, remembering each; used from one thread. The push
     * path validated every manifest, so a collection only picks the digests out of the JSON, of any
     * kind: Docker schema 1 and 2, OCI image and index, and artifact manifests. It neither hashes
     * nor checks the rest; a field it does not know marks nothing, and more marked is only safer.
     */
    static final class Reader {

        private static final JsonFactory JSON = new JsonFactory();

        private final ParallelStorage storage;
        private final Map<Digest, References> read = new HashMap<>();

        Reader(ParallelStorage storage) {
            this.storage = storage;
        }

        /** Reads the manifests in parallel, those not read yet. */
        void preload(Collection<Digest> manifests) throws IOException {
            List<Digest> missing = manifests.stream().filter(manifest -> !read.containsKey(manifest)).toList();
            List<References> loaded = storage.map(missing, this::load);
            for (int i = 0; i < missing.size(); i++) {
                read.put(missing.get(i), loaded.get(i));
            }
        }

        /** What a manifest references; one not preloaded (an index's child without a link) is read now. */
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
            try (JsonParser json = JSON.createParser(content)) {
                return read(json);
            } catch (IOException e) {
                return unreadable("it is not JSON");
            }
        }

        private static References read(JsonParser json) throws IOException {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return unreadable("not a JSON object");
            }
            List<Digest> blobs = new ArrayList<>();
            List<Digest> children = new ArrayList<>();
            Digest subject = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "config" -> add(blobs, digestIn(json, "digest"));
                    case "layers", "blobs" -> each(json, "digest", blobs);
                    case "fsLayers" -> each(json, "blobSum", blobs); // Docker schema 1, which a root Distribution wrote may hold
                    case "manifests" -> each(json, "digest", children);
                    case "subject" -> subject = digestIn(json, "digest");
                    default -> json.skipChildren();
                }
            }
            return new References(List.copyOf(blobs), List.copyOf(children), subject, null);
        }

        /** Adds the digest under {@code key} of every object of the array at the parser. */
        private static void each(JsonParser json, String key, List<Digest> into) throws IOException {
            if (json.currentToken() != JsonToken.START_ARRAY) {
                json.skipChildren();
                return;
            }
            while (json.nextToken() != JsonToken.END_ARRAY) {
                add(into, digestIn(json, key));
            }
        }

        /** The digest under {@code key} of the object at the parser, or null; leaves the parser at its end. */
        private static Digest digestIn(JsonParser json, String key) throws IOException {
            if (json.currentToken() != JsonToken.START_OBJECT) {
                json.skipChildren();
                return null;
            }
            Digest found = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = json.currentName().equals(key);
                if (json.nextToken() == JsonToken.VALUE_STRING && wanted) {
                    found = parse(json.getText());
                } else {
                    json.skipChildren();
                }
            }
            return found;
        }

        private static Digest parse(String text) {
            try {
                return Digest.parse(text);
            } catch (RegistryException e) {
                return null; // no blob is stored under a name that is not a digest
            }
        }

        private static void add(List<Digest> into, Digest digest) {
            if (digest != null) {
                into.add(digest);
            }
        }

        private static References unreadable(String problem) {
            return new References(List.of(), List.of(), null, problem);
        }
    }
}
