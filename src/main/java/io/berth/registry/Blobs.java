package io.berth.registry;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/** The blobs a repository links to, and the uploads that add them. */
public interface Blobs {

    /** The blob's descriptor, or {@link RegistryError.BlobUnknown} when the repository does not have it. */
    Descriptor stat(Digest digest) throws IOException;

    /** The blob's bytes from {@code offset} on; the descriptor comes from {@link #stat}. */
    ReadableByteChannel open(Descriptor descriptor, long offset) throws IOException;

    /** A URL the client may fetch the bytes from directly, when the storage offers one. */
    Optional<URI> redirect(Descriptor descriptor) throws IOException;

    /** Unlinks the blob from the repository. */
    void delete(Digest digest) throws IOException;

    /** Links a blob of repository {@code from} into this one; empty when {@code from} does not have it. */
    Optional<Descriptor> mount(RepositoryName from, Digest digest) throws IOException;

    /** Starts an upload session. */
    Upload createUpload() throws IOException;

    /** An upload session started earlier, by this process or another, or {@link RegistryError.BlobUploadUnknown}. */
    Upload resumeUpload(String id) throws IOException;
}
