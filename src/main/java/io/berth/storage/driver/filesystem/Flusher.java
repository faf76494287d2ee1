package io.berth.storage.driver.filesystem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** How the driver makes writes durable; a test seam. */
public interface Flusher {

    /** Forces a file's data (and the size to read it) to disk, so that a crash after the call keeps them. */
    Flusher FSYNC = new Flusher() {
        @Override
        public void flushFile(Path file, FileChannel channel) throws IOException {
            // fdatasync: the bytes and the length needed to read them back; timestamps may wait.
            channel.force(false);
        }

        @Override
        public void flushDirectory(Path dir) throws IOException {
            // A new, renamed or replaced name only survives a crash once its directory is synced.
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    };

    /** Makes the content of {@code file}, open as {@code channel}, durable. */
    void flushFile(Path file, FileChannel channel) throws IOException;

    /** Makes the entries of {@code dir} (names created, renamed or replaced in it) durable. */
    void flushDirectory(Path dir) throws IOException;
}
