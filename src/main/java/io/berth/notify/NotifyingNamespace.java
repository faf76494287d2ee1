package io.berth.notify;

import io.berth.registry.Blobs;
import io.berth.registry.CatalogPage;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.Manifests;
import io.berth.registry.Namespace;
import io.berth.registry.Referrer;
import io.berth.registry.RegistryException;
import io.berth.registry.Repository;
import io.berth.registry.RepositoryName;
import io.berth.registry.StoredManifest;
import io.berth.registry.Tag;
import io.berth.registry.Tags;
import io.berth.registry.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The registry as one request uses it, recording an event for each push, mount, pull and delete once
 * the registry has done it: pushes, mounts and deletes are in the outbox before the call returns (so
 * before the client hears of it), pulls are recorded without waiting. Pulls are those of a GET; a
 * HEAD reads without pulling. A manifest pulled by tag carries the tag the request resolved.
 */
final class NotifyingNamespace implements Namespace {

    private final Namespace registry;
    private final Notifier notifier;
    private final Events events;
    private final boolean pulling;

    NotifyingNamespace(Namespace registry, Notifier notifier, Events events) {
        this.registry = registry;
        this.notifier = notifier;
        this.events = events;
        this.pulling = "GET".equals(events.request().method());
    }

    @Override
    public Repository repository(RepositoryName name) {
        Repository repository = registry.repository(name);
        Resolved resolved = new Resolved();
        Blobs blobs = new NotifyingBlobs(repository.blobs(), name);
        Manifests manifests = new NotifyingManifests(repository.manifests(), repository.tags(), name, resolved);
        Tags tags = new NotifyingTags(repository.tags(), name, resolved);
        return new Repository.Parts(name, blobs, manifests, tags);
    }

    @Override
    public CatalogPage catalog(String last, int n) throws IOException {
        return registry.catalog(last, n);
    }

    /** The tag this request resolved last, and to what, so that the manifest pulled through it names it. */
    private static final class Resolved {
        Tag tag;
        Digest digest;
    }

    private final class NotifyingBlobs implements Blobs {
        private final Blobs blobs;
        private final RepositoryName name;

        NotifyingBlobs(Blobs blobs, RepositoryName name) {
            this.blobs = blobs;
            this.name = name;
        }

        @Override
        public Descriptor stat(Digest digest) throws IOException {
            return blobs.stat(digest);
        }

        @Override
        public ReadableByteChannel open(Descriptor descriptor, long offset) throws IOException {
            ReadableByteChannel channel = blobs.open(descriptor, offset);
            if (pulling) {
                notifier.record(events.blob(Event.PULL, name, descriptor, null), false);
            }
            return channel;
        }

        @Override
        public Optional<URI> redirect(Descriptor descriptor) throws IOException {
            Optional<URI> location = blobs.redirect(descriptor);
            if (location.isPresent() && pulling) {
                notifier.record(events.blob(Event.PULL, name, descriptor, null), false);
            }
            return location;
        }

        @Override
        public void delete(Digest digest) throws IOException {
            blobs.delete(digest);
            notifier.record(events.deleted(name, digest, null), true);
        }

        @Override
        public Optional<Descriptor> mount(RepositoryName from, Digest digest) throws IOException {
            Optional<Descriptor> mounted = blobs.mount(from, digest);
            if (mounted.isPresent()) {
                notifier.record(events.blob(Event.MOUNT, name, mounted.get(), from), true);
            }
            return mounted;
        }

        @Override
        public Upload createUpload() throws IOException {
            return new NotifyingUpload(blobs.createUpload(), name);
        }

        @Override
        public Upload resumeUpload(String id) throws IOException {
            return new NotifyingUpload(blobs.resumeUpload(id), name);
        }
    }

    private final class NotifyingUpload implements Upload {
        private final Upload upload;
        private final RepositoryName name;

        NotifyingUpload(Upload upload, RepositoryName name) {
            this.upload = upload;
            this.name = name;
        }

        @Override
        public String id() {
            return upload.id();
        }

        @Override
        public Instant startedAt() {
            return upload.startedAt();
        }

        @Override
        public long size() throws IOException {
            return upload.size();
        }

        @Override
        public long append(InputStream chunk, long expectedStart) throws IOException {
            return upload.append(chunk, expectedStart);
        }

        @Override
        public Descriptor commit(InputStream lastChunk, long expectedStart, Digest expected) throws IOException {
            Descriptor descriptor = upload.commit(lastChunk, expectedStart, expected);
            notifier.record(events.blob(Event.PUSH, name, descriptor, null), true);
            return descriptor;
        }

        @Override
        public void cancel() throws IOException {
            upload.cancel();
        }
    }

    private final class NotifyingManifests implements Manifests {
        private final Manifests manifests;
        private final Tags tags;
        private final RepositoryName name;
        private final Resolved resolved;

        NotifyingManifests(Manifests manifests, Tags tags, RepositoryName name, Resolved resolved) {
            this.manifests = manifests;
            this.tags = tags;
            this.name = name;
            this.resolved = resolved;
        }

        @Override
        public Descriptor stat(Digest digest) throws IOException {
            return manifests.stat(digest);
        }

        @Override
        public StoredManifest get(Digest digest) throws IOException {
            StoredManifest manifest = manifests.get(digest);
            if (pulling) {
                Tag tag = digest.equals(resolved.digest) ? resolved.tag : null;
                List<Descriptor> references = events.includeReferences() ? references(manifest) : List.of();
                notifier.record(events.manifest(Event.PULL, name,
                        new Descriptor(digest, manifest.content().length, manifest.mediaType()), tag, references), false);
            }
            return manifest;
        }

        @Override
        public void put(Manifest manifest, Tag tag) throws IOException {
            manifests.put(manifest, tag);
            List<Descriptor> references = events.includeReferences() ? references(manifest) : List.of();
            notifier.record(events.manifest(Event.PUSH, name,
                    new Descriptor(manifest.digest(), manifest.content().length, manifest.mediaType()), tag, references), true);
        }

        /** Deleting a manifest deletes its tags: each is notified after the manifest, as Distribution does. */
        @Override
        public void delete(Digest digest) throws IOException {
            List<Tag> pointing = new ArrayList<>();
            for (Tag tag : tags.list()) {
                if (pointsAt(tag, digest)) {
                    pointing.add(tag);
                }
            }
            manifests.delete(digest);
            notifier.record(events.deleted(name, digest, null), true);
            for (Tag tag : pointing) {
                notifier.record(events.deleted(name, null, tag), true);
            }
        }

        private boolean pointsAt(Tag tag, Digest digest) throws IOException {
            try {
                return tags.resolve(tag).equals(digest);
            } catch (RegistryException e) {
                return false; // deleted meanwhile
            }
        }

        @Override
        public List<Referrer> referrers(Digest subject) throws IOException {
            return manifests.referrers(subject);
        }
    }

    private final class NotifyingTags implements Tags {
        private final Tags tags;
        private final RepositoryName name;
        private final Resolved resolved;

        NotifyingTags(Tags tags, RepositoryName name, Resolved resolved) {
            this.tags = tags;
            this.name = name;
            this.resolved = resolved;
        }

        @Override
        public Digest resolve(Tag tag) throws IOException {
            Digest digest = tags.resolve(tag);
            resolved.tag = tag;
            resolved.digest = digest;
            return digest;
        }

        @Override
        public void delete(Tag tag) throws IOException {
            tags.delete(tag);
            notifier.record(events.deleted(name, null, tag), true);
        }

        @Override
        public List<Tag> list() throws IOException {
            return tags.list();
        }
    }

    /** What a manifest references: an image's config and layers, an index's manifests. */
    private static List<Descriptor> references(Manifest manifest) {
        return Stream.concat(manifest.blobs().stream(), manifest.children().stream()).toList();
    }

    private static List<Descriptor> references(StoredManifest stored) {
        try {
            return references(ManifestParser.parse(stored.content(), stored.mediaType(), stored.digest().algorithm()));
        } catch (RuntimeException e) {
            return List.of(); // stored before today's checks: the event goes without its references
        }
    }
}
