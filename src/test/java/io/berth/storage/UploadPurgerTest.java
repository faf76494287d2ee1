package io.berth.storage;

import static io.berth.testing.TestRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.testing.MutableClock;
import io.berth.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadPurgerTest {

    @TempDir
    Path root;
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));

    private UploadPurger purger(boolean dryRun) {
        return new UploadPurger(CheckedStorageDriver.wrap(new FilesystemDriver(root)), clock, Duration.ofDays(7), dryRun);
    }

    @Test
    void uploadsOlderThanTheAgeAreRemovedAndYoungerOnesKept() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(root).clock(clock).start()) {
            String old = registry.startUpload("team/app");
            assertThat(registry.send("PATCH", old, "old bytes".getBytes()).statusCode()).isEqualTo(202);
            clock.advance(Duration.ofDays(6));
            String young = registry.startUpload("team/app");
            clock.advance(Duration.ofDays(2));

            assertThat(purger(false).purge()).hasSize(1);

            assertThat(registry.get(old).statusCode()).isEqualTo(404);
            assertThat(errorCode(registry.get(old))).isEqualTo("BLOB_UPLOAD_UNKNOWN");
            assertThat(registry.get(young).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void dryRunReportsButRemovesNothing() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(root).clock(clock).start()) {
            String old = registry.startUpload("app");
            clock.advance(Duration.ofDays(8));
            assertThat(purger(true).purge()).hasSize(1);
            assertThat(registry.get(old).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void emptyStorageHasNothingToPurge() throws Exception {
        assertThat(purger(false).purge()).isEmpty();
    }

    @Test
    void registryPurgesInTheBackgroundAtTheConfiguredInterval() throws Exception {
        try (TestRegistry registry = TestRegistry.builder(root).clock(clock)
                .env("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_INTERVAL", "50ms")
                .env("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "1h")
                .start()) {
            String upload = registry.startUpload("app");
            clock.advance(Duration.ofHours(2));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (registry.get(upload).statusCode() != 404 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(registry.get(upload).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void crashTemporaryFilesOlderThanTheSafeAgeAreRemovedByAPurgeAndFreshOnesKept() throws Exception {
        List<Path> old = List.of(
                temporaryFile("docker/registry/v2/repositories/app/_manifests/tags/v1/current", UploadPurger.TEMPORARY_FILE_AGE.plusMinutes(1)),
                temporaryFile("docker/registry/v2/blobs/sha256/ab", Duration.ofDays(3)));
        Path fresh = temporaryFile("docker/registry/v2/repositories/app/_layers/sha256/ab", Duration.ofMinutes(1));

        purger(true).purge();
        assertThat(old).as("a dry run removes nothing").allMatch(Files::exists);

        purger(false).purge();
        assertThat(old).noneMatch(Files::exists);
        assertThat(fresh).as("a write may still be under way").exists();
    }

    @Test
    void crashTemporaryFilesOlderThanTheSafeAgeAreRemovedAtStart() throws Exception {
        Path old = temporaryFile("docker/registry/v2/repositories/app/_manifests/revisions/sha256/ab", Duration.ofHours(2));
        Path fresh = temporaryFile("docker/registry/v2/repositories/app/_manifests/revisions/sha256/cd", Duration.ofSeconds(5));
        // Purging is off: the sweep at start does not depend on it.
        try (TestRegistry registry = TestRegistry.builder(root).env("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_ENABLED", "false").start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Files.exists(old) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(old).doesNotExist();
            assertThat(fresh).exists();
            assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
        }
    }

    /** A temporary file of the filesystem driver as a crash leaves it, last written {@code age} ago by the system's clock. */
    private Path temporaryFile(String folder, Duration age) throws Exception {
        Path file = Files.createDirectories(root.resolve(folder)).resolve(".berth-tmp-" + age.toSeconds());
        Files.write(file, "sha256:partial".getBytes());
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }
}
