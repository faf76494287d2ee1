package io.berth.gc;

import io.berth.registry.Digest;
import java.time.Duration;
import java.util.List;

/**
 * What a collection did (or would do, dry run).
 *
 * @param manifestsDeleted {@code repo@sha256:...} of each revision link removed by {@code deleteUntagged}
 */
public record Report(long repositories, long manifestsMarked, long blobsMarked, List<Swept> blobsDeleted, long bytesFreed,
        List<String> manifestsDeleted, Duration took) {

    /** A blob swept (or that would be), with the size of its data. */
    public record Swept(Digest digest, long size) {}

    public Report {
        blobsDeleted = List.copyOf(blobsDeleted);
        manifestsDeleted = List.copyOf(manifestsDeleted);
    }
}
