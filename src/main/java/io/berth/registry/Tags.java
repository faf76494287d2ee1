package io.berth.registry;

import java.io.IOException;
import java.util.List;

/** A repository's tags. */
public interface Tags {

    /** The digest the tag points at, or {@link RegistryError.ManifestUnknown}. */
    Digest resolve(Tag tag) throws IOException;

    /** Removes the tag; the manifest stays. */
    void delete(Tag tag) throws IOException;

    /** Every tag, in lexical order. */
    List<Tag> list() throws IOException;
}
