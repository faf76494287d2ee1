package io.berth.storage.driver.filesystem;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the filesystem driver syncs what it must, in the order a crash needs. */
class FilesystemDurabilityTest {

    @TempDir
    Path root;

    private final RecordingFlusher flusher = new RecordingFlusher();
    private StorageDriver driver;

    @BeforeEach
    void openDriver() {
        driver = CheckedStorageDriver.wrap(new FilesystemDriver(root, flusher));
    }

    @Test
    void putContentFlushesTheTempFileBeforeTheRenameAndTheDirectoryAfter() throws Exception {
        driver.putContent("/a/link", bytes("old"));
        flusher.events.clear();

        driver.putContent("/a/link", bytes("new"));

        // The temp name still holds the new bytes when flushed, so the rename had not happened yet;
        // the directory flush sees the final name only, so it came after the rename.
        assertThat(flusher.events).containsExactly(
                new Event("file", "/a/.berth-tmp-*", "new"),
                new Event("dir", "/a", "link"));
        assertThat(Files.readString(root.resolve("a/link"))).isEqualTo("new");
    }

    @Test
    void newlyCreatedParentDirectoriesAreFlushedInTheirParentsAfterThePublish() throws Exception {
        driver.putContent("/x/y/z/file", bytes("v"));

        // Content before its name; the new folders after it, so one journal commit can cover them all.
        assertThat(flusher.events).containsExactly(
                new Event("file", "/x/y/z/.berth-tmp-*", "v"),
                new Event("dir", "/x/y/z", "file"),
                new Event("dir", "/x/y", "z"),
                new Event("dir", "/x", "y"),
                new Event("dir", "/", "x"));
    }

    @Test
    void writerCommitFlushesTheFileAndCloseDoesNot() throws Exception {
        try (FileWriter writer = driver.writer("/uploads/id/data", false)) {
            assertThat(flusher.events).as("a writer's new folders wait for the move that publishes its file").isEmpty();
            writer.write(bytes("abc"));

            writer.commit();

            assertThat(flusher.events).as("buffer written out before the sync")
                    .containsExactly(new Event("file", "/uploads/id/data", "abc"));
        }
        try (FileWriter writer = driver.writer("/uploads/id/data", true)) {
            writer.write(bytes("def"));
        }
        assertThat(flusher.events).hasSize(1);
    }

    @Test
    void moveFlushesTheDestinationDirectory() throws Exception {
        driver.putContent("/m/source", bytes("x"));
        flusher.events.clear();

        driver.move("/m/source", "/n/destination");

        assertThat(flusher.events).containsExactly(
                new Event("dir", "/n", "destination"),
                new Event("dir", "/", "m,n"));
    }

    @Test
    void aFailedFlushLeavesNoTemporaryFileAndTheOldContent() throws Exception {
        driver.putContent("/a/link", bytes("old"));
        flusher.failFiles = true;

        assertThatThrownBy(() -> driver.putContent("/a/link", bytes("new"))).isInstanceOf(IOException.class);

        try (Stream<Path> entries = Files.list(root.resolve("a"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("link");
        }
        assertThat(Files.readString(root.resolve("a/link"))).isEqualTo("old");
    }

    /** One flush: a file with its content then, or a directory with its entries then. */
    record Event(String kind, String path, String state) {}

    /** Records what each flush saw, then really syncs. */
    private final class RecordingFlusher implements Flusher {
        final List<Event> events = Collections.synchronizedList(new ArrayList<>());
        volatile boolean failFiles;

        @Override
        public void flushFile(Path file, FileChannel channel) throws IOException {
            events.add(new Event("file", name(file), Files.readString(file)));
            if (failFiles) {
                throw new IOException("disk full");
            }
            FSYNC.flushFile(file, channel);
        }

        @Override
        public void flushDirectory(Path dir) throws IOException {
            try (Stream<Path> entries = Files.list(dir)) {
                events.add(new Event("dir", name(dir), String.join(",", entries.map(p -> p.getFileName().toString())
                        .map(FlusherNames::hideRandom).sorted().toList())));
            }
            FSYNC.flushDirectory(dir);
        }

        private String name(Path path) {
            return FlusherNames.hideRandom("/" + root.relativize(path).toString());
        }
    }

    private static final class FlusherNames {
        /** Temp names end in a random suffix; tests compare them as a pattern. */
        static String hideRandom(String name) {
            return name.replaceAll("\\.berth-tmp-[^/]*", ".berth-tmp-*");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
