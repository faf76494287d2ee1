package io.berth.gc;

import io.berth.registry.Digest;
import java.time.Duration;
import java.util.List;

/** What a collection did (or would do, dry run). */
public record Report(long repositories, long manifestsMarked, long blobsMarked, List<Swept> blobsDeleted, long bytesFreed,
        List<String> manifestsDeleted, Duration took) {

    /** One blob swept, with its size. */
    public record Swept(Digest digest, long size) {}
}
