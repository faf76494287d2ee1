package io.berth.storage;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Referrer;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For each subject, the descriptors of the manifests that name it, kept as manifests come and go,
 * so that listing referrers reads one folder instead of every manifest.
 */
public final class ReferrersIndex {

    /** The stored form of an entry: an OCI descriptor. */
    record Entry(String mediaType, String digest, long size, String artifactType, Map<String, String> annotations) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RepositoryName name;
    private final StorageDriver driver;

    ReferrersIndex(RepositoryName name, StorageDriver driver) {
        this.name = name;
        this.driver = driver;
    }

    /** Writing the entry of a referrer, as one change of a publish. */
    Change add(Digest subject, Referrer referrer) throws IOException {
        Descriptor d = referrer.descriptor();
        Entry entry = new Entry(d.mediaType(), d.digest().toString(), d.size(), referrer.artifactType(),
                referrer.annotations().isEmpty() ? null : referrer.annotations());
        return new Change.Put(Paths.of(new Paths.ReferrerEntry(name, subject, d.digest())), JSON.writeValueAsBytes(entry));
    }

    void remove(Digest subject, Digest referrer) throws IOException {
        try {
            driver.delete(Paths.of(new Paths.ReferrerEntry(name, subject, referrer)));
        } catch (StorageDriverException.PathNotFound e) {
            // never indexed, or removed already
        }
    }

    /** Every manifest naming {@code subject}, in digest order; none for an unknown subject. */
    public List<Referrer> list(Digest subject) throws IOException {
        List<Referrer> result = new ArrayList<>();
        List<String> algorithms;
        try {
            algorithms = driver.list(Paths.of(new Paths.Referrers(name, subject)));
        } catch (StorageDriverException.PathNotFound e) {
            return result;
        }
        for (String algorithm : algorithms) {
            List<String> entries;
            try {
                entries = driver.list(algorithm);
            } catch (StorageDriverException.PathNotFound e) {
                continue; // emptied meanwhile
            }
            for (String path : entries) {
                Referrer referrer = read(path);
                if (referrer != null) {
                    result.add(referrer);
                }
            }
        }
        return result;
    }

    private Referrer read(String path) throws IOException {
        try {
            Entry entry = JSON.readValue(driver.getContent(path), Entry.class);
            return new Referrer(new Descriptor(Digest.parse(entry.digest()), entry.size(), entry.mediaType()),
                    entry.artifactType(), entry.annotations());
        } catch (StorageDriverException.PathNotFound | RegistryException | JacksonException e) {
            return null; // removed meanwhile, or not an entry of ours
        }
    }
}
