package io.berth.storage;

import io.berth.registry.Digest;
import io.berth.registry.RegistryException;
import io.berth.storage.driver.Change;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Link files: a digest string at a path, written atomically, as Distribution writes them. */
final class Links {

    private Links() {}

    /** The digest a link holds, or null when there is no link or it is damaged. */
    static Digest read(StorageDriver driver, Paths.Spec link) throws IOException {
        try {
            return Digest.parse(new String(driver.getContent(Paths.of(link)), StandardCharsets.UTF_8).trim());
        } catch (StorageDriverException.PathNotFound | RegistryException e) {
            return null;
        }
    }

    /** True when the link exists and names exactly {@code digest}. */
    static boolean points(StorageDriver driver, Paths.Spec link, Digest digest) throws IOException {
        return digest.equals(read(driver, link));
    }

    /** Writing a link, as one change of a {@link StorageDriver#publish}. */
    static Change put(Paths.Spec link, Digest digest) {
        return new Change.Put(Paths.of(link), digest.toString().getBytes(StandardCharsets.UTF_8));
    }
}
