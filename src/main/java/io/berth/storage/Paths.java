package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;

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
 * </pre>
 *
 * Every path is built here from validated values ({@link Digest}, {@link RepositoryName},
 * {@link UploadId}), so no client input can name a path outside the layout.
 */
public final class Paths {

    static final String ROOT = "/docker/registry/v2";

    /** A place in the layout. */
    public sealed interface Spec {}

    /** The folder that holds a blob's data. */
    public record BlobDir(Digest digest) implements Spec {}

    /** A blob's content. */
    public record BlobData(Digest digest) implements Spec {}

    /** The folder of every repository. */
    public record Repositories() implements Spec {}

    /** One repository's folder. */
    public record Repository(RepositoryName name) implements Spec {}

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

    private Paths() {}

    /** The driver path of a spec. */
    public static String of(Spec spec) {
        return switch (spec) {
            case BlobDir(Digest d) -> ROOT + "/blobs/" + d.algorithm().prefix() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
            case BlobData(Digest d) -> of(new BlobDir(d)) + "/data";
            case Repositories() -> ROOT + "/repositories";
            case Repository(RepositoryName n) -> ROOT + "/repositories/" + n.value();
            case LayerLinkDir(RepositoryName n, Digest d) ->
                    of(new Repository(n)) + "/_layers/" + d.algorithm().prefix() + "/" + d.hex();
            case LayerLink(RepositoryName n, Digest d) -> of(new LayerLinkDir(n, d)) + "/link";
            case Uploads(RepositoryName n) -> of(new Repository(n)) + "/_uploads";
            case UploadDir(RepositoryName n, UploadId id) -> of(new Uploads(n)) + "/" + id.value();
            case UploadData(RepositoryName n, UploadId id) -> of(new UploadDir(n, id)) + "/data";
            case UploadStartedAt(RepositoryName n, UploadId id) -> of(new UploadDir(n, id)) + "/startedat";
        };
    }
}
