package io.berth.registry;

/** A manifest as stored: its exact bytes and the media type to serve them with; closing it frees its memory. */
public record StoredManifest(Digest digest, byte[] content, String mediaType, ManifestMemory.Lease lease) implements AutoCloseable {
    @Override
    public void close() {
        lease.close();
    }
}
