package io.berth.http;

import io.berth.observe.Endpoint;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a request path leads. Repository names contain slashes, so a path is matched from its end;
 * each segment is percent-decoded on its own and the name is then validated, so an encoded slash,
 * dot segment or NUL can never become part of a name.
 */
sealed interface Route {

    /** {@code /v2/} */
    record Base() implements Route {}

    /** {@code /v2/<name>/blobs/<digest>} */
    record Blob(RepositoryName name, String digest) implements Route {}

    /** {@code /v2/<name>/blobs/uploads/} */
    record UploadStart(RepositoryName name) implements Route {}

    /** {@code /v2/<name>/blobs/uploads/<id>} */
    record Upload(RepositoryName name, String id) implements Route {}

    /** {@code /v2/<name>/manifests/<tag-or-digest>} */
    record Manifest(RepositoryName name, String reference) implements Route {}

    /** {@code /v2/<name>/tags/list} */
    record TagsList(RepositoryName name) implements Route {}

    /** {@code /v2/<name>/referrers/<digest>} */
    record Referrers(RepositoryName name, String digest) implements Route {}

    /** {@code /v2/_catalog} */
    record Catalog() implements Route {}

    /** {@code /auth/token}: the built-in token server, when it is on. */
    record Token() implements Route {}

    /** Anything else. */
    record Unknown() implements Route {}

    /** The route's kind, as metrics and the access log name it. */
    default Endpoint endpoint() {
        return switch (this) {
            case Base b -> Endpoint.BASE;
            case Blob b -> Endpoint.BLOB;
            case UploadStart u -> Endpoint.UPLOAD;
            case Upload u -> Endpoint.UPLOAD;
            case Manifest m -> Endpoint.MANIFEST;
            case TagsList t -> Endpoint.TAGS;
            case Referrers r -> Endpoint.REFERRERS;
            case Catalog c -> Endpoint.CATALOG;
            case Token t -> Endpoint.TOKEN;
            case Unknown u -> Endpoint.UNKNOWN;
        };
    }

    /** Matches a raw (still percent-encoded) request path. */
    static Route match(String rawPath) {
        if (rawPath == null || !(rawPath.equals("/v2") || rawPath.startsWith("/v2/"))) {
            return new Unknown();
        }
        List<String> segments = new ArrayList<>(Arrays.asList(rawPath.split("/", -1)));
        segments.subList(0, Math.min(2, segments.size())).clear(); // "" and "v2"
        if (segments.isEmpty() || segments.equals(List.of(""))) {
            return new Base();
        }
        if (segments.equals(List.of("_catalog"))) {
            return new Catalog();
        }
        int n = segments.size();
        if (n >= 3 && segments.get(n - 2).equals("tags") && segments.get(n - 1).equals("list")) {
            return new TagsList(name(segments.subList(0, n - 2)));
        }
        if (n >= 3 && segments.get(n - 2).equals("manifests")) {
            return new Manifest(name(segments.subList(0, n - 2)), decode(segments.get(n - 1)));
        }
        if (n >= 3 && segments.get(n - 2).equals("referrers")) {
            return new Referrers(name(segments.subList(0, n - 2)), decode(segments.get(n - 1)));
        }
        if (n >= 3 && segments.get(n - 2).equals("blobs") && segments.get(n - 1).equals("uploads")) {
            return new UploadStart(name(segments.subList(0, n - 2)));
        }
        if (n >= 4 && segments.get(n - 3).equals("blobs") && segments.get(n - 2).equals("uploads")) {
            return segments.get(n - 1).isEmpty()
                    ? new UploadStart(name(segments.subList(0, n - 3)))
                    : new Upload(name(segments.subList(0, n - 3)), decode(segments.get(n - 1)));
        }
        if (n >= 3 && segments.get(n - 2).equals("blobs")) {
            return new Blob(name(segments.subList(0, n - 2)), decode(segments.get(n - 1)));
        }
        return new Unknown();
    }

    private static RepositoryName name(List<String> rawSegments) {
        List<String> components = new ArrayList<>(rawSegments.size());
        for (String raw : rawSegments) {
            String component = decode(raw);
            if (component.indexOf('/') >= 0) {
                throw new RegistryException(new RegistryError.NameInvalid("invalid repository name: encoded slash"));
            }
            components.add(component);
        }
        return RepositoryName.of(components);
    }

    /** Percent-decodes one segment; a malformed escape is left as is and fails validation later. */
    private static String decode(String raw) {
        try {
            return raw.indexOf('%') < 0 ? raw : URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
