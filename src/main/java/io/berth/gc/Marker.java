package io.berth.gc;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mark phase: per repository, which manifests stay and everything they reference, across all
 * repositories into one set. The links of every repository, then every manifest they link, are
 * read in parallel; the marking itself works from memory.
 */
final class Marker {

    private static final Logger log = LoggerFactory.getLogger(Marker.class);

    /** A manifest {@code deleteUntagged} removes from a repository. */
    record Untagged(RepositoryName repository, Digest digest, Digest subject, Collection<Tag> tags) {

        @Override
        public String toString() {
            return repository.value() + "@" + digest;
        }
    }

    private final ParallelStorage storage;
    private final References.Reader reader;
    private final boolean deleteUntagged;
    private final Listener listener;
    private final Set<Digest> marked = new HashSet<>();
    private final Set<Digest> manifests = new HashSet<>();
    private final List<Untagged> untagged = new ArrayList<>();

    Marker(ParallelStorage storage, boolean deleteUntagged, Listener listener) {
        this.storage = storage;
        this.reader = new References.Reader(storage);
        this.deleteUntagged = deleteUntagged;
        this.listener = listener;
    }

    /** Every blob marked, manifests included. */
    Set<Digest> marked() {
        return marked;
    }

    /** How many distinct manifests are kept. */
    long manifests() {
        return manifests.size();
    }

    /** The manifests to remove, in repository and digest order. */
    List<Untagged> untagged() {
        List<Untagged> sorted = new ArrayList<>(untagged);
        sorted.sort((a, b) -> a.toString().compareTo(b.toString()));
        return sorted;
    }

    /** Marks what the repositories keep; with {@code deleteUntagged}, notes what they no longer keep. */
    void mark(List<RepositoryName> repositories) throws IOException {
        List<RepositoryState> states = RepositoryState.read(storage, repositories, deleteUntagged);
        Set<Digest> linked = new HashSet<>();
        states.forEach(state -> linked.addAll(state.revisions()));
        reader.preload(linked);
        for (RepositoryState state : states) {
            mark(state);
        }
    }

    /** Marks what one repository keeps, in the order Distribution's walk prints it. */
    private void mark(RepositoryState state) throws IOException {
        RepositoryName name = state.name();
        Set<Digest> kept = keep(state);
        listener.line(name.value());
        for (Digest manifest : sorted(kept)) {
            References references = reader.of(manifest);
            if (references.problem() != null) {
                log.warn("{}: manifest {} cannot be read ({}); it marks only itself", name.value(), manifest, references.problem());
            }
            listener.line(name.value() + ": marking manifest " + manifest);
            manifests.add(manifest);
            marked.add(manifest);
            for (Digest blob : references.blobs()) {
                listener.line(name.value() + ": marking blob " + blob);
                marked.add(blob);
            }
        }
        for (Digest manifest : sorted(state.revisions())) {
            if (!kept.contains(manifest)) {
                untagged.add(new Untagged(name, manifest, reader.of(manifest).subject(), state.tags().keySet()));
            }
        }
    }

    /**
     * The manifests a repository keeps: from every revision, or only from the tagged ones with
     * {@code deleteUntagged}; then whatever a kept index lists (nested too, linked or not) and,
     * with {@code deleteUntagged}, every referrer of a kept manifest.
     */
    private Set<Digest> keep(RepositoryState state) throws IOException {
        Map<Digest, List<Digest>> referrers = new HashMap<>();
        if (deleteUntagged) {
            for (Digest revision : state.revisions()) {
                Digest subject = reader.of(revision).subject();
                if (subject != null) {
                    referrers.computeIfAbsent(subject, s -> new ArrayList<>()).add(revision);
                }
            }
        }
        Deque<Digest> pending = new ArrayDeque<>(deleteUntagged ? state.tags().values() : state.revisions());
        Set<Digest> kept = new LinkedHashSet<>();
        while (!pending.isEmpty()) {
            Digest manifest = pending.pop();
            if (kept.add(manifest)) {
                pending.addAll(reader.of(manifest).children());
                pending.addAll(referrers.getOrDefault(manifest, List.of()));
            }
        }
        return kept;
    }

    /** In the order of their text, as Distribution's walk of the folders prints them. */
    private static List<Digest> sorted(Collection<Digest> digests) {
        List<Digest> sorted = new ArrayList<>(digests);
        sorted.sort(Comparator.comparing(Digest::toString));
        return sorted;
    }
}
