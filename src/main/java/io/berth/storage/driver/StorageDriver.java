package io.berth.storage.driver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Bytes at paths: the only thing a storage backend implements.
 *
 * <p>Paths are absolute, slash-separated and made of segments of {@code [A-Za-z0-9._:-]}
 * ({@code "/"} is the root); {@link CheckedStorageDriver} refuses anything else before a driver
 * sees it. Every method reports a missing path with {@link StorageDriverException.PathNotFound}.
 * Directories exist implicitly: writing a file creates its parents, deleting the last file need
 * not remove them. Writing where a directory is, or below a file, fails with an {@link IOException}
 * that is not {@code PathNotFound}; reading below a file is {@code PathNotFound}.
 */
public interface StorageDriver extends AutoCloseable {

    /** The driver's name as used in configuration: {@code filesystem}, {@code inmemory}, ... */
    String name();

    /** The whole content of a small file. */
    byte[] getContent(String path) throws IOException;

    /**
     * Replaces a small file atomically and durably: a reader sees the old content or the new one,
     * never a mix, and after return the new content survives a crash.
     */
    void putContent(String path, byte[] content) throws IOException;

    /** A stream of the file from {@code offset}; an offset past the end is {@link StorageDriverException.InvalidOffset}. */
    InputStream reader(String path, long offset) throws IOException;

    /** The same as {@link #reader} as a channel; a driver that has one natively saves a copy per read. */
    default ReadableByteChannel channel(String path, long offset) throws IOException {
        return Channels.newChannel(reader(path, offset));
    }

    /**
     * A writer that creates or truncates the file, or with {@code append} continues it after its
     * current end (creating it when missing).
     */
    FileWriter writer(String path, boolean append) throws IOException;

    /** Size, time and kind of a file or directory. */
    FileInfo stat(String path) throws IOException;

    /**
     * The full paths of the direct children of a directory, in lexical order. A file has no
     * children: it is {@code PathNotFound}, like a missing directory; the root always exists.
     */
    List<String> list(String path) throws IOException;

    /**
     * The full paths of at most {@code limit} direct children of a directory that come after the
     * child named {@code after} ({@code ""} for the first page), in lexical order of their names, so
     * that a folder of any size can be read a page at a time by passing the last name of each page
     * to the next. A driver that can start a listing at a name overrides this, so that a page costs
     * memory for the page only; this default lists the whole folder. S3 sorts a directory as its
     * name followed by {@code /} and so does its driver here ({@code a-b} and {@code a.c} come
     * before a directory {@code a}); a folder of files is in the same order everywhere.
     */
    default List<String> listPage(String path, String after, int limit) throws IOException {
        List<String> page = new ArrayList<>();
        for (String child : list(path)) {
            if (page.size() == limit) {
                break;
            }
            if (child.substring(child.lastIndexOf('/') + 1).compareTo(after) > 0) {
                page.add(child);
            }
        }
        return page;
    }

    /**
     * Moves a file or directory over the file at {@code destination}, atomically and durably,
     * creating the destination's parents. Like rename(2), it refuses to replace a non-empty
     * directory, to put a directory in place of a file, or to move a directory into itself.
     */
    void move(String source, String destination) throws IOException;

    /**
     * Applies changes in order, each atomically, none visible before the content it names is
     * durable, all durable on return. A driver may share the cost of making them durable among
     * them; by default each is done on its own.
     */
    default void publish(List<Change> changes) throws IOException {
        for (Change change : changes) {
            switch (change) {
                case Change.Put put -> putContent(put.path(), put.content());
                case Change.Move move -> move(move.from(), move.path());
            }
        }
    }

    /** Deletes a file or a directory with everything under it. */
    void delete(String path) throws IOException;

    /**
     * Visits every file and directory under {@code path} (not {@code path} itself), parents before
     * children, the children of each directory in lexical order; a file has nothing under it.
     */
    void walk(String path, Consumer<FileInfo> visitor) throws IOException;

    /**
     * A URL from which a client may fetch the file itself for a while, sparing the registry the
     * bytes; empty when the storage has none (the default).
     */
    default Optional<URI> redirectUrl(String path) throws IOException {
        return Optional.empty();
    }

    /**
     * Removes temporary files that a crash in the middle of a write left behind, once they are older
     * than {@code age} (no write in progress is that old); returns how many. A driver that leaves
     * none does nothing.
     */
    default int removeStaleTemporaryFiles(Duration age) throws IOException {
        return 0;
    }

    @Override
    default void close() throws IOException {}
}
