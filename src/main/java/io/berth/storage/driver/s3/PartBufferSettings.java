package io.berth.storage.driver.s3;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where S3 writers gather a part before sending it: the heap, up to {@code memory} bytes, then
 * temporary files in {@code spillDirectory}, up to {@code spillSize} bytes. A writer that finds
 * neither waits up to {@code maxWait} for one to be freed, then is refused as busy.
 *
 * @param memory heap for parts; 0 for a quarter of the JVM's maximum heap
 * @param spillDirectory the folder of the temporary files; null for {@code java.io.tmpdir}
 * @param spillSize disk for parts once the heap's share is taken; 0 for none
 * @param maxWait how long a writer waits for a part buffer before it is refused
 */
public record PartBufferSettings(long memory, Path spillDirectory, long spillSize, Duration maxWait) {

    public static final long DEFAULT_SPILL_SIZE = 1L << 30;
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(2);

    /** Fills in the defaults that depend on the JVM. */
    public PartBufferSettings {
        memory = memory > 0 ? memory : Runtime.getRuntime().maxMemory() / 4;
        spillDirectory = spillDirectory != null ? spillDirectory : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A quarter of the heap, then up to 1 GiB of temporary files, 2 s of waiting. */
    public static PartBufferSettings defaults() {
        return new PartBufferSettings(0, null, DEFAULT_SPILL_SIZE, DEFAULT_WAIT);
    }
}
