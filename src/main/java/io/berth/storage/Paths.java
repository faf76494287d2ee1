package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import java.util.UUID;

/**
 * The one mapping from what the registry stores to where it lives, in Distribution's layout, so
 * that Berth and Distribution can serve each other's storage root:
 *
 * <pre>
 * /docker/registry/v2/
 *   blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;/data             blob content
 *   repositories/&lt;name&gt;/
 *     _layers/&lt;algorithm&gt;/&lt;hex&gt;/link                          "algorithm:hex", links a blob
 *     _uploads/&lt;id&gt;/data                                     bytes received so far
 *     _uploads/&lt;id&gt;/startedat                                RFC 3339 start time
 *     _manifests/revisions/&lt;algorithm&gt;/&lt;hex&gt;/link             links a manifest (its bytes are a blob)
 *     _manifests/revisions/&lt;algorithm&gt;/&lt;hex&gt;/mediatype        Berth's: the Content-Type it was pushed with,
 *                                                              kept only when the manifest declares none
 *     _manifests/tags/&lt;tag&gt;/current/link                        the manifest a tag points at
 *     _manifests/tags/&lt;tag&gt;/index/&lt;algorithm&gt;/&lt;hex&gt;/link       every manifest the tag has pointed at
 *     _referrers/&lt;algorithm&gt;/&lt;hex&gt;/&lt;algorithm&gt;/&lt;hex&gt;         Berth's: the descriptor of a manifest whose
 *                                                              subject is the first digest (referrers index)
 *   _berth/catalog/&lt;name, encoded&gt;                              Berth's: one empty file per repository, named so
 *                                                              that the files sort as the names do ({@link #entryName})
 *   _berth/catalog-v2-complete                                  Berth's: the catalog index covers every repository
 *                                                              (the index of the older naming, beside catalog-complete,
 *                                                              is rebuilt once)
 *   _berth/httpsecret/key                                       Berth's: the upload-state key when http.secret is unset
 *   _berth/httpsecret-&lt;uuid&gt;/key                                Berth's: a key being proposed, moved to the one above
 *   _berth/tokenkey/key                                         Berth's: the token server's signing key (PEM) when
 *                                                              auth.tokenserver.key is unset (proposed the same way)
 *   _berth/gc/claims/&lt;uuid&gt;                                      Berth's: the digests a push in flight relies on, one a
 *                                                              line (online garbage collection, see {@link GcClaims})
 *   _berth/gc/collecting                                        Berth's: a collection is marking or sweeping
 *   _berth/gc/sweeping                                          Berth's: the digests a collection is about to delete
 *   _berth/gc/touched/&lt;algorithm&gt;/&lt;hex&gt;                          Berth's: empty; its time is when the blob was last
 *                                                              pushed or mounted again
 *   _berth/gc/lease                                             Berth's: which replica may collect, until when
 *   _berth/proxy/expiry/&lt;name, encoded&gt;/&lt;kind&gt;-&lt;algorithm&gt;-&lt;hex&gt;  Berth's: a pull-through cache's blob or manifest
 *                                                              and when it expires ({@link #proxyExpiryAt})
 *   _berth/notifications/&lt;instance&gt;/owner                        Berth's: the process that owns a replica's outbox
 *   _berth/notifications/&lt;instance&gt;/events/&lt;first&gt;[-&lt;count&gt;]    Berth's: events to deliver, one JSON a line (appended
 *                                                              to on the filesystem; one object a batch elsewhere)
 *   _berth/notifications/&lt;instance&gt;/cursors/&lt;endpoint&gt;          Berth's: the endpoint's next event to deliver
 * </pre>
 *
 * Every path is built here from validated values ({@link Digest}, {@link RepositoryName},
 * {@link UploadId}), so no client input can name a path outside the layout.
 */
public final class Paths {

    static final String ROOT = "/docker/registry/v2";

    /** A place in the layout. */
    public sealed interface Spec {}

    /** The folder of every blob's data. */
    public record Blobs() implements Spec {}

    /** The folder that holds a blob's data. */
    public record BlobDir(Digest digest) implements Spec {}

    /** A blob's content. */
    public record BlobData(Digest digest) implements Spec {}

    /** The folder of every repository. */
    public record Repositories() implements Spec {}

    /** One repository's folder. */
    public record Repository(RepositoryName name) implements Spec {}

    /** The folder of a repository's links to blobs, one folder per algorithm below it. */
    public record LayerLinks(RepositoryName name) implements Spec {}

    /** The folder of a repository's link to a blob. */
    public record LayerLinkDir(RepositoryName name, Digest digest) implements Spec {}

    /** A repository's link to a blob. */
    public record LayerLink(RepositoryName name, Digest digest) implements Spec {}

    /** The folder of a repository's uploads. */
    public record Uploads(RepositoryName name) implements Spec {}

    /** One upload's folder. */
    public record UploadDir(RepositoryName name, UploadId id) implements Spec {}

    /** The bytes an upload has received. */
    public record UploadData(RepositoryName name, UploadId id) implements Spec {}

    /** When an upload started. */
    public record UploadStartedAt(RepositoryName name, UploadId id) implements Spec {}

    /** The folder of a repository's manifests and tags; a repository exists once it has one. */
    public record Manifests(RepositoryName name) implements Spec {}

    /** The folder of a repository's links to manifests, one folder per algorithm below it. */
    public record ManifestRevisions(RepositoryName name) implements Spec {}

    /** A repository's link to a manifest. */
    public record ManifestRevisionLink(RepositoryName name, Digest digest) implements Spec {}

    /** The folder of a repository's link to a manifest. */
    public record ManifestRevisionDir(RepositoryName name, Digest digest) implements Spec {}

    /** The media type a manifest was pushed with, when its body declares none. */
    public record ManifestMediaType(RepositoryName name, Digest digest) implements Spec {}

    /** The folder of a repository's tags. */
    public record Tags(RepositoryName name) implements Spec {}

    /** One tag's folder. */
    public record TagDir(RepositoryName name, Tag tag) implements Spec {}

    /** The manifest a tag points at now. */
    public record TagCurrentLink(RepositoryName name, Tag tag) implements Spec {}

    /** A manifest a tag has pointed at. */
    public record TagIndexLink(RepositoryName name, Tag tag, Digest digest) implements Spec {}

    /** The referrers of one subject. */
    public record Referrers(RepositoryName name, Digest subject) implements Spec {}

    /** The descriptor of one referrer of a subject. */
    public record ReferrerEntry(RepositoryName name, Digest subject, Digest referrer) implements Spec {}

    /** The catalog index: one empty file per repository. */
    public record Catalog() implements Spec {}

    /** One repository's entry in the catalog index. */
    public record CatalogEntry(RepositoryName name) implements Spec {}

    /** Written once the catalog index holds every repository, including those found in storage written by others. */
    public record CatalogComplete() implements Spec {}

    /** The folder of a key Berth made itself because the configuration names none ({@link StoredSecret.Kind}). */
    public record SecretDir(StoredSecret.Kind kind) implements Spec {}

    /** A key Berth made itself, shared by restarts and replicas. */
    public record Secret(StoredSecret.Kind kind) implements Spec {}

    /** The folder of a key one process proposes, moved into place unless another got there first. */
    public record SecretCandidate(StoredSecret.Kind kind, UUID id) implements Spec {}

    /** The claims of pushes in flight. */
    public record GcClaims() implements Spec {}

    /** One push's claim. */
    public record GcClaim(UUID id) implements Spec {}

    /** Present while a collection runs, from before its mark. */
    public record GcCollecting() implements Spec {}

    /** Present while a collection deletes, with the digests it may delete. */
    public record GcSweeping() implements Spec {}

    /** The folder of the touched markers. */
    public record GcTouchedAll() implements Spec {}

    /** A blob pushed or mounted again, at the marker's time. */
    public record GcTouched(Digest digest) implements Spec {}

    /** The storage lease of online collection. */
    public record GcLease() implements Spec {}

    /** The expiry entries of a pull-through cache. */
    public record ProxyExpiries() implements Spec {}

    /** When a cached blob ({@code manifest} false) or manifest of a repository expires. */
    public record ProxyExpiry(RepositoryName name, Digest digest, boolean manifest) implements Spec {}
    /** The folder of every replica's notification outbox (io.berth.notify lays it out). */
    public record Notifications() implements Spec {}

    private Paths() {}

    /**
     * The file name of a repository in the catalog index. A driver lists names in lexical order,
     * and the catalog pages in the lexical order of repository names, so the encoding keeps both
     * the order and the length: {@code /} becomes {@code 0} and each digit the next character
     * ({@code 0} to {@code 1}, ..., {@code 9} to {@code :}), which sorts as the originals do among
     * {@code -}, {@code .}, {@code _} and the letters, none of which change. Case is left alone,
     * so case-insensitive file systems hold the index too.
     */
    static String entryName(String name) {
        char[] chars = name.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            chars[i] = c == '/' ? '0' : c >= '0' && c <= '9' ? (char) (c + 1) : c;
        }
        return new String(chars);
    }

    /** The repository name an index file name stands for (not validated: a stray file may be anything). */
    static String nameOfEntry(String fileName) {
        char[] chars = fileName.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            chars[i] = c == '0' ? '/' : c >= '1' && c <= ':' ? (char) (c - 1) : c;
        }
        return new String(chars);
    }

    /** The expiry entry stored at {@code path}, or null when the path is no such entry (a stray file). */
    public static ProxyExpiry proxyExpiryAt(String path) {
        String base = of(new ProxyExpiries()) + "/";
        if (!path.startsWith(base)) {
            return null;
        }
        String[] parts = path.substring(base.length()).split("/");
        if (parts.length != 2) {
            return null;
        }
        String[] file = parts[1].split("-", 3);
        if (file.length != 3 || !(file[0].equals("manifest") || file[0].equals("blob"))) {
            return null;
        }
        try {
            return new ProxyExpiry(RepositoryName.parse(nameOfEntry(parts[0])), Digest.parse(file[1] + ":" + file[2]),
                    file[0].equals("manifest"));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The driver path of a spec. */
    public static String of(Spec spec) {
        return switch (spec) {
            case Blobs() -> ROOT + "/blobs";
            case BlobDir(Digest d) -> of(new Blobs()) + "/" + d.algorithm().prefix() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
            case BlobData(Digest d) -> of(new BlobDir(d)) + "/data";
            case Repositories() -> ROOT + "/repositories";
            case Repository(RepositoryName n) -> ROOT + "/repositories/" + n.value();
            case LayerLinks(RepositoryName n) -> of(new Repository(n)) + "/_layers";
            case LayerLinkDir(RepositoryName n, Digest d) ->
                    of(new LayerLinks(n)) + "/" + d.algorithm().prefix() + "/" + d.hex();
            case LayerLink(RepositoryName n, Digest d) -> of(new LayerLinkDir(n, d)) + "/link";
            case Uploads(RepositoryName n) -> of(new Repository(n)) + "/_uploads";
            case UploadDir(RepositoryName n, UploadId id) -> of(new Uploads(n)) + "/" + id.value();
            case UploadData(RepositoryName n, UploadId id) -> of(new UploadDir(n, id)) + "/data";
            case UploadStartedAt(RepositoryName n, UploadId id) -> of(new UploadDir(n, id)) + "/startedat";
            case Manifests(RepositoryName n) -> of(new Repository(n)) + "/_manifests";
            case ManifestRevisions(RepositoryName n) -> of(new Manifests(n)) + "/revisions";
            case ManifestRevisionDir(RepositoryName n, Digest d) ->
                    of(new ManifestRevisions(n)) + "/" + d.algorithm().prefix() + "/" + d.hex();
            case ManifestRevisionLink(RepositoryName n, Digest d) -> of(new ManifestRevisionDir(n, d)) + "/link";
            case ManifestMediaType(RepositoryName n, Digest d) -> of(new ManifestRevisionDir(n, d)) + "/mediatype";
            case Tags(RepositoryName n) -> of(new Manifests(n)) + "/tags";
            case TagDir(RepositoryName n, Tag t) -> of(new Tags(n)) + "/" + t.value();
            case TagCurrentLink(RepositoryName n, Tag t) -> of(new TagDir(n, t)) + "/current/link";
            case TagIndexLink(RepositoryName n, Tag t, Digest d) ->
                    of(new TagDir(n, t)) + "/index/" + d.algorithm().prefix() + "/" + d.hex() + "/link";
            case Referrers(RepositoryName n, Digest s) ->
                    of(new Repository(n)) + "/_referrers/" + s.algorithm().prefix() + "/" + s.hex();
            case ReferrerEntry(RepositoryName n, Digest s, Digest r) ->
                    of(new Referrers(n, s)) + "/" + r.algorithm().prefix() + "/" + r.hex();
            case Catalog() -> ROOT + "/_berth/catalog";
            case CatalogEntry(RepositoryName n) -> ROOT + "/_berth/catalog/" + entryName(n.value());
            case CatalogComplete() -> ROOT + "/_berth/catalog-v2-complete";
            case SecretDir(StoredSecret.Kind kind) -> ROOT + "/_berth/" + kind.folder();
            case Secret(StoredSecret.Kind kind) -> of(new SecretDir(kind)) + "/key";
            case SecretCandidate(StoredSecret.Kind kind, UUID id) -> ROOT + "/_berth/" + kind.folder() + "-" + id;
            case GcClaims() -> ROOT + "/_berth/gc/claims";
            case GcClaim(UUID id) -> of(new GcClaims()) + "/" + id;
            case GcCollecting() -> ROOT + "/_berth/gc/collecting";
            case GcSweeping() -> ROOT + "/_berth/gc/sweeping";
            case GcTouchedAll() -> ROOT + "/_berth/gc/touched";
            case GcTouched(Digest d) -> of(new GcTouchedAll()) + "/" + d.algorithm().prefix() + "/" + d.hex();
            case GcLease() -> ROOT + "/_berth/gc/lease";
            case ProxyExpiries() -> ROOT + "/_berth/proxy/expiry";
            case ProxyExpiry(RepositoryName n, Digest d, boolean manifest) -> of(new ProxyExpiries()) + "/" + entryName(n.value())
                    + "/" + (manifest ? "manifest-" : "blob-") + d.algorithm().prefix() + "-" + d.hex();
            case Notifications() -> ROOT + "/_berth/notifications";
        };
    }
}
