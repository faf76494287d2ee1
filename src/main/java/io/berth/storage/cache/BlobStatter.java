package io.berth.storage.cache;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import java.io.IOException;

/** Where a descriptor comes from when the cache does not have it: storage. */
@FunctionalInterface
public interface BlobStatter {

    /** The descriptor; a {@code RegistryException} (blob or manifest unknown) when storage does not have it. */
    Descriptor stat(Digest digest) throws IOException;
}
