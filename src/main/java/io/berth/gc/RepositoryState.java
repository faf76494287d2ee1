package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.storage.Paths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One repository as a collection reads it: the manifests it links (revision links that name their
 * own digest, as the registry serves them) and the manifest each tag points at now.
 */
record RepositoryState(RepositoryName name, Set<Digest> revisions, Map<Tag, Digest> tags) {

    /** A link file of one repository: which repository, and where. */
    private record Link(int repository, String path) {}

    /**
     * Reads the links of the repositories, every link of all of them in parallel; their tags only
     * when asked (only deleting untagged manifests needs them). In the order of {@code names}.
     */
    static List<RepositoryState> read(ParallelStorage storage, List<RepositoryName> names, boolean withTags) throws IOException {
        List<RepositoryState> states = new ArrayList<>(names.size());
        names.forEach(name -> states.add(new RepositoryState(name, new LinkedHashSet<>(), new HashMap<>())));
        List<List<String>> revisionFolders = storage.map(names, name -> linkFolders(storage, Paths.of(new Paths.ManifestRevisions(name))));
        List<Link> revisionLinks = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (String folder : revisionFolders.get(i)) {
                revisionLinks.add(new Link(i, folder + "/link"));
            }
        }
        List<Digest> revisions = storage.map(revisionLinks, link -> linkIn(storage, link.path()));
        for (int i = 0; i < revisionLinks.size(); i++) {
            Digest digest = revisions.get(i);
            String path = revisionLinks.get(i).path();
            if (digest != null && digest.equals(digestOf(path.substring(0, path.length() - "/link".length())))) {
                states.get(revisionLinks.get(i).repository()).revisions().add(digest);
            }
        }
        if (withTags) {
            readTags(storage, states);
        }
        return states;
    }

    private static void readTags(ParallelStorage storage, List<RepositoryState> states) throws IOException {
        List<List<String>> tagFolders = storage.map(states, state -> storage.list(Paths.of(new Paths.Tags(state.name()))));
        List<Link> tagLinks = new ArrayList<>();
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            for (String folder : tagFolders.get(i)) {
                String value = folder.substring(folder.lastIndexOf('/') + 1);
                if (Tag.isValid(value)) {
                    Tag tag = new Tag(value);
                    tags.add(tag);
                    tagLinks.add(new Link(i, Paths.of(new Paths.TagCurrentLink(states.get(i).name(), tag))));
                }
            }
        }
        List<Digest> current = storage.map(tagLinks, link -> linkIn(storage, link.path()));
        for (int i = 0; i < tagLinks.size(); i++) {
            if (current.get(i) != null) {
                states.get(tagLinks.get(i).repository()).tags().put(tags.get(i), current.get(i));
            }
        }
    }

    /** The {@code <algorithm>/<hex>} folders below a folder of links ({@code _layers}, {@code _manifests/revisions}). */
    static List<String> linkFolders(ParallelStorage storage, String root) throws IOException {
        List<String> folders = new ArrayList<>();
        for (String algorithm : storage.list(root)) {
            folders.addAll(storage.list(algorithm));
        }
        return folders;
    }

    /** The digest a folder of links stands for, from its path, or null for a stray folder. */
    static Digest digestOf(String folder) {
        int slash = folder.lastIndexOf('/');
        int before = folder.lastIndexOf('/', slash - 1);
        try {
            return Digest.parse(folder.substring(before + 1, slash) + ":" + folder.substring(slash + 1));
        } catch (RegistryException e) {
            return null;
        }
    }

    private static Digest linkIn(ParallelStorage storage, String path) throws IOException {
        byte[] content = storage.content(path);
        if (content == null) {
            return null;
        }
        try {
            return Digest.parse(new String(content, StandardCharsets.UTF_8).trim());
        } catch (RegistryException e) {
            return null; // damaged: the registry does not serve it either
        }
    }
}
