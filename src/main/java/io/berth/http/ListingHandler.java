package io.berth.http;

import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import io.berth.registry.Referrer;
import io.berth.registry.Tag;
import io.berth.registry.CatalogPage;
import io.berth.registry.Namespace;
import io.berth.registry.Repository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Content discovery: tags of a repository, the catalog of repositories, and the referrers of a manifest. */
final class ListingHandler {

    /** Repositories per catalog page when the client does not say, and at most, as in Distribution. */
    static final int CATALOG_PAGE = 1000;

    /** {@code http.prefix}: next-page links are relative to the request, so they keep it. */
    private final String prefix;

    ListingHandler(String prefix) {
        this.prefix = prefix;
    }

    void tags(Exchange ex, Repository repository, Route.TagsList route) throws IOException {
        List<String> tags = repository.tags().list().stream().map(Tag::value).toList();
        Page page = Page.of(tags, ex, 0);
        page.linkNext(ex, prefix + "/v2/" + route.name() + "/tags/list");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", route.name().value());
        body.put("tags", page.items());
        ex.sendJson(200, body);
    }

    void catalog(Exchange ex, Namespace namespace) throws IOException {
        CatalogPage listed = namespace.catalog(ex.query("last"), Page.limit(ex.query("n"), CATALOG_PAGE));
        Page page = new Page(listed.names(), listed.more());
        page.linkNext(ex, prefix + "/v2/_catalog");
        ex.sendJson(200, Map.of("repositories", page.items()));
    }

    void referrers(Exchange ex, Repository repository, Route.Referrers route) throws IOException {
        Digest subject = Digest.parse(route.digest());
        String artifactType = ex.query("artifactType");
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Referrer referrer : repository.manifests().referrers(subject)) {
            if (artifactType == null || artifactType.equals(referrer.artifactType())) {
                manifests.add(descriptor(referrer));
            }
        }
        if (artifactType != null) {
            ex.header("OCI-Filters-Applied", "artifactType");
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        ex.sendJson(200, index, MediaTypes.OCI_INDEX);
    }

    private static Map<String, Object> descriptor(Referrer referrer) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", referrer.descriptor().mediaType());
        descriptor.put("digest", referrer.descriptor().digest().toString());
        descriptor.put("size", referrer.descriptor().size());
        if (referrer.artifactType() != null) {
            descriptor.put("artifactType", referrer.artifactType());
        }
        if (!referrer.annotations().isEmpty()) {
            descriptor.put("annotations", referrer.annotations());
        }
        return descriptor;
    }
}
