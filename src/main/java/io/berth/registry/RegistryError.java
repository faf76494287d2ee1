package io.berth.registry;

/**
 * The closed set of failures the registry reports to clients. Storage and domain code raise them
 * inside a {@link RegistryException}; the HTTP layer maps each to a spec error code in one place.
 */
public sealed interface RegistryError {

    /** A sentence for the error envelope's message. */
    String message();

    record BlobUnknown(Digest digest) implements RegistryError {
        public String message() {
            return "blob unknown to registry: " + digest;
        }
    }

    record BlobUploadUnknown(String uploadId) implements RegistryError {
        public String message() {
            return "blob upload unknown to registry";
        }
    }

    record BlobUploadInvalid(String message) implements RegistryError {}

    record DigestInvalid(String message) implements RegistryError {}

    record SizeInvalid(String message) implements RegistryError {}

    record NameInvalid(String message) implements RegistryError {}

    record NameUnknown(RepositoryName name) implements RegistryError {
        public String message() {
            return "repository name not known to registry: " + name;
        }
    }

    record TagInvalid(String message) implements RegistryError {}

    /** A chunk that does not start where the upload ends, or a byte range outside a blob. */
    record RangeInvalid(String message, long size) implements RegistryError {}

    record ManifestUnknown(String reference) implements RegistryError {
        public String message() {
            return "manifest unknown: " + reference;
        }
    }

    record ManifestInvalid(String message) implements RegistryError {}

    /** A manifest names a blob the repository does not have. */
    record ManifestBlobUnknown(Digest digest) implements RegistryError {
        public String message() {
            return "manifest references a blob unknown to this repository: " + digest;
        }
    }

    record ManifestTooLarge(long limit) implements RegistryError {
        public String message() {
            return "manifest is larger than the " + limit + " bytes this registry accepts";
        }
    }

    record PaginationNumberInvalid(String message) implements RegistryError {}

    /** The operation is switched off in this registry (for example deletes). */
    record Unsupported(String message) implements RegistryError {}

    /** The caller may not do this; a feature wrapping the registry (authorisation) raises it. */
    record Denied(String message) implements RegistryError {}

    /** A bound on a shared resource (connections, uploads, buffers) is reached; the client may retry later. */
    record TooManyRequests(String message, java.time.Duration retryAfter) implements RegistryError {}

    /** The storage has no room left for what the client sent; nothing of it was kept. */
    record InsufficientStorage(String message) implements RegistryError {}

    /** A pull-through cache's upstream failed or did not answer in time, and nothing cached stands in for it. */
    record UpstreamUnavailable(String message) implements RegistryError {}
}
