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

/** Removes uploads that were started longer ago than a given age and never finished. */
public final class UploadPurger {

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
