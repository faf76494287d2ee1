package io.berth.auth;

import io.berth.registry.Blobs;
import io.berth.registry.CatalogPage;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.Manifests;
import io.berth.registry.Namespace;
import io.berth.registry.Referrer;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Repository;
import io.berth.registry.RepositoryName;
import io.berth.registry.StoredManifest;
import io.berth.registry.Tag;
import io.berth.registry.Tags;
import io.berth.registry.Upload;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry as one caller may use it: every operation checks the caller's grants, and the
 * catalog shows only what the caller may list. The router has judged the request's access request
 * before; this holds the same line for whatever a handler reaches.
 */
public final class GrantedNamespace implements Namespace {

    /** Repository names read per step while filling a catalog page with names the caller may see. */
    private static final int CATALOG_STEP = 1000;

    private final Namespace registry;
    private final Grants grants;

    private GrantedNamespace(Namespace registry, Grants grants) {
        this.registry = registry;
        this.grants = grants;
    }

    /** The registry as seen with these grants; itself, unwrapped, when they allow everything. */
    public static Namespace of(Namespace registry, Grants grants) {
        return grants == Grants.ALL ? registry : new GrantedNamespace(registry, grants);
    }

    @Override
    public Repository repository(RepositoryName name) {
        Repository repository = registry.repository(name);
        return new Repository.Parts(name, new GrantedBlobs(repository.blobs(), name), new GrantedManifests(repository.manifests(), name),
                new GrantedTags(repository.tags(), name));
    }

    @Override
    public CatalogPage catalog(String last, int n) throws IOException {
        require(Access.CATALOG);
        List<String> names = new ArrayList<>();
        String after = last;
        while (true) {
            CatalogPage page = registry.catalog(after, CATALOG_STEP);
            for (String name : page.names()) {
                if (grants.lists(RepositoryName.parse(name))) {
                    if (names.size() == n) {
                        return new CatalogPage(names, true);
                    }
                    names.add(name);
                }
            }
            if (!page.more()) {
                return new CatalogPage(names, false);
            }
            after = page.names().getLast();
        }
    }

    private void require(Access access) {
        if (!grants.allows(access)) {
            throw new RegistryException(new RegistryError.Denied("access to " + access + " is not granted"));
        }
    }

    private final class GrantedBlobs implements Blobs {
        private final Blobs blobs;
        private final RepositoryName name;

        GrantedBlobs(Blobs blobs, RepositoryName name) {
            this.blobs = blobs;
            this.name = name;
        }

        @Override
        public Descriptor stat(Digest digest) throws IOException {
            require(Access.pull(name));
            return blobs.stat(digest);
        }

        @Override
        public ReadableByteChannel open(Descriptor descriptor, long offset) throws IOException {
            require(Access.pull(name));
            return blobs.open(descriptor, offset);
        }

        @Override
        public Optional<URI> redirect(Descriptor descriptor) throws IOException {
            require(Access.pull(name));
            return blobs.redirect(descriptor);
        }

        @Override
        public void delete(Digest digest) throws IOException {
            require(Access.delete(name));
            blobs.delete(digest);
        }

        @Override
        public Optional<Descriptor> mount(RepositoryName from, Digest digest) throws IOException {
            require(Access.push(name));
            require(Access.pull(from));
            return blobs.mount(from, digest);
        }

        @Override
        public Upload createUpload() throws IOException {
            require(Access.push(name));
            return blobs.createUpload();
        }

        @Override
        public Upload resumeUpload(String id) throws IOException {
            require(Access.push(name));
            return blobs.resumeUpload(id);
        }
    }

    private final class GrantedManifests implements Manifests {
        private final Manifests manifests;
        private final RepositoryName name;

        GrantedManifests(Manifests manifests, RepositoryName name) {
            this.manifests = manifests;
            this.name = name;
        }

        @Override
        public Descriptor stat(Digest digest) throws IOException {
            require(Access.pull(name));
            return manifests.stat(digest);
        }

        @Override
        public StoredManifest get(Digest digest) throws IOException {
            require(Access.pull(name));
            return manifests.get(digest);
        }

        @Override
        public void put(Manifest manifest, Tag tag) throws IOException {
            require(Access.push(name));
            manifests.put(manifest, tag);
        }

        @Override
        public void delete(Digest digest) throws IOException {
            require(Access.delete(name));
            manifests.delete(digest);
        }

        @Override
        public List<Referrer> referrers(Digest subject) throws IOException {
            require(Access.pull(name));
            return manifests.referrers(subject);
        }
    }

    private final class GrantedTags implements Tags {
        private final Tags tags;
        private final RepositoryName name;

        GrantedTags(Tags tags, RepositoryName name) {
            this.tags = tags;
            this.name = name;
        }

        @Override
        public Digest resolve(Tag tag) throws IOException {
            require(Access.pull(name));
            return tags.resolve(tag);
        }

        @Override
        public void delete(Tag tag) throws IOException {
            require(Access.delete(name));
            tags.delete(tag);
        }

        @Override
        public List<Tag> list() throws IOException {
            require(Access.pull(name));
            return tags.list();
        }
    }
}
