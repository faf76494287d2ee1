package io.berth.storage;

import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes uploads that were started longer ago than a given age and never finished, and the
 * temporary files of writes that a crash interrupted.
 */
public final class UploadPurger {

    /** Temporary files older than this are a crash's leftovers: a write that is still going is never so old. */
    public static final Duration TEMPORARY_FILE_AGE = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(UploadPurger.class);

    private final StorageDriver driver;
    private final Clock clock;
    private final Duration age;
    private final boolean dryRun;

    public UploadPurger(StorageDriver driver, Clock clock, Duration age, boolean dryRun) {
        this.driver = driver;
        this.clock = clock;
        this.age = age;
        this.dryRun = dryRun;
    }

    /** Purges once; returns the upload folders removed (or, in a dry run, that would be). */
    public List<String> purge() throws IOException {
        if (!dryRun) {
            removeStaleTemporaryFiles(driver);
        }
        return purgeUploads();
    }

    /** Removes the temporary files a crash left in storage, as Berth does once at start; a failure is only logged. */
    public static void removeStaleTemporaryFiles(StorageDriver driver) {
        try {
            int removed = driver.removeStaleTemporaryFiles(TEMPORARY_FILE_AGE);
            if (removed > 0) {
                log.info("removed {} temporary files left by an interrupted write, older than {}", removed, TEMPORARY_FILE_AGE);
            }
        } catch (IOException e) {
            log.warn("removing stale temporary files failed: {}", e.toString());
        }
    }

    private List<String> purgeUploads() throws IOException {
        Instant cutoff = clock.instant().minus(age);
        List<String> stale = new ArrayList<>();
        try {
            driver.walk(Paths.of(new Paths.Repositories()), info -> {
                if (info.isDirectory() && isUploadDir(info.path()) && startedAt(info).isBefore(cutoff)) {
                    stale.add(info.path());
                }
            });
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
        for (String dir : stale) {
            log.info("{} upload {}: older than {}", dryRun ? "would purge" : "purging", dir, age);
            if (!dryRun) {
                try {
                    driver.delete(dir);
                } catch (StorageDriverException.PathNotFound e) {
                    // finished or cancelled meanwhile
                }
            }
        }
        return stale;
    }

    /** Repository names cannot contain "_uploads", so a folder right under one is an upload. */
    private static boolean isUploadDir(String path) {
        return path.substring(0, path.lastIndexOf('/')).endsWith("/_uploads");
    }

    /** When the upload began: its {@code startedat} file, or the folder's own time when that is missing. */
    private Instant startedAt(FileInfo dir) {
        try {
            return LinkedBlobStore.parseTime(driver.getContent(dir.path() + "/startedat"));
        } catch (IOException e) {
            return dir.modified();
        }
    }
}
