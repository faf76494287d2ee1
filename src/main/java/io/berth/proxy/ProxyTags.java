package io.berth.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.ManifestParser;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.StoredManifest;
import io.berth.registry.Tag;
import io.berth.registry.Tags;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.TreeSet;

/**
 * A cached repository's tags: each resolve asks the upstream (a HEAD, or a GET the first time) and
 * follows a tag that moved; when the upstream cannot answer, the cached tag stands.
 */
final class ProxyTags implements Tags {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest tag list read from the upstream. */
    private static final int MAX_LIST_BYTES = 8 * 1024 * 1024;

    private final ProxyRepository.Origin origin;
    private final ProxyManifests manifests;

    ProxyTags(ProxyRepository.Origin origin, ProxyManifests manifests) {
        this.origin = origin;
        this.manifests = manifests;
    }

    @Override
    public Digest resolve(Tag tag) throws IOException {
        Digest cached = cached(tag);
        if (cached == null) {
            return manifests.fetch(tag.value(), tag).digest();
        }
        Digest upstream;
        try (RemoteClient.Response response = origin.client().send("HEAD", origin.path("manifests/" + tag.value()), origin.upstreamName(),
                ProxyManifests.ACCEPT)) {
            String announced = response.header("Docker-Content-Digest");
            if (response.status() != 200 || announced == null) {
                origin.stats().hit();
                return cached; // gone upstream or not answered plainly: what was cached stands, as in Distribution
            }
            upstream = Digest.parse(announced);
        } catch (RemoteClient.Unavailable | RegistryException e) {
            origin.stats().error();
            origin.stats().hit();
            return cached;
        }
        if (upstream.equals(cached)) {
            origin.stats().hit();
            return cached;
        }
        return retag(tag, upstream);
    }

    /** Points the cached tag at the manifest the upstream's tag names now, fetching it when it is not cached. */
    private Digest retag(Tag tag, Digest digest) throws IOException {
        try (StoredManifest stored = origin.local().manifests().get(digest)) {
            origin.local().cache(ManifestParser.parse(stored.content(), stored.mediaType(), digest.algorithm()), tag);
            origin.stats().hit();
            return digest;
        } catch (RegistryException e) {
            if (!(e.error() instanceof RegistryError.ManifestUnknown)) {
                throw e;
            }
        }
        return manifests.fetch(tag.value(), tag).digest();
    }

    private Digest cached(Tag tag) throws IOException {
        try {
            return origin.local().tags().resolve(tag);
        } catch (RegistryException e) {
            if (e.error() instanceof RegistryError.ManifestUnknown) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void delete(Tag tag) {
        throw ProxyRepository.readOnly();
    }

    /** The upstream's tags; the cached ones when it cannot answer. */
    @Override
    public List<Tag> list() throws IOException {
        try (RemoteClient.Response response = origin.client().send("GET", origin.path("tags/list"), origin.upstreamName(),
                "application/json")) {
            if (response.status() == 404 || response.status() == 401 || response.status() == 403) {
                throw new RegistryException(new RegistryError.NameUnknown(origin.name()));
            }
            if (response.status() != 200) {
                return origin.local().tags().list();
            }
            JsonNode body;
            try (InputStream in = response.body()) {
                body = JSON.readTree(in.readNBytes(MAX_LIST_BYTES));
            }
            TreeSet<String> names = new TreeSet<>();
            body.path("tags").forEach(name -> {
                if (Tag.isValid(name.asText())) {
                    names.add(name.asText());
                }
            });
            return names.stream().map(Tag::new).toList();
        } catch (RemoteClient.Unavailable e) {
            origin.stats().error();
            return origin.local().tags().list();
        }
    }
}
