package io.berth.registry;

/** What the registry knows of a blob: its digest, its size in bytes and its media type. */
public record Descriptor(Digest digest, long size, String mediaType) {

    public static final String OCTET_STREAM = "application/octet-stream";

    public Descriptor {
        if (digest == null) {
            throw new IllegalArgumentException("descriptor without a digest");
        }
        if (size < 0) {
            throw new RegistryException(new RegistryError.SizeInvalid("negative size " + size));
        }
        if (mediaType == null || mediaType.isEmpty()) {
            mediaType = OCTET_STREAM;
        }
    }

    public static Descriptor of(Digest digest, long size) {
        return new Descriptor(digest, size, OCTET_STREAM);
    }
}
