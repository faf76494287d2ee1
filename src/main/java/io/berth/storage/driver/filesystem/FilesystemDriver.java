package io.berth.storage.driver.filesystem;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import io.berth.storage.driver.Change;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException.InvalidOffset;
import io.berth.storage.driver.StorageDriverException.InvalidPath;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import io.berth.storage.driver.StorageDriverException.StorageFull;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/** Stores driver path {@code /a/b} as the file {@code root/a/b}, durably. */
public final class FilesystemDriver implements StorageDriver {

    /** Names of files being written by putContent; a crash can leave them, so listings hide them. */
    static final String TEMP_PREFIX = ".berth-tmp-";

    private static final String ROOT = "/";
    /** Tries of a publish or delete that a concurrent delete or write keeps disturbing; each retry is rare. */
    private static final int PUBLISH_ATTEMPTS = 5;

    private final Path root;
    private final Flusher flusher;

    public FilesystemDriver(Path root) {
        this(root, Flusher.FSYNC);
    }

    public FilesystemDriver(Path root, Flusher flusher) {
        this.root = root.toAbsolutePath().normalize();
        this.flusher = flusher;
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        Path file = regularFile(path);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw notFoundIfMissing(e, path, file);
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        publish(List.of(new Change.Put(path, content)));
    }

    /**
     * Writes every new content to a temporary file first and flushes them together, then renames
     * each into place in order, then flushes every folder touched: one journal commit for the
     * contents and one for the names, however many changes there are.
     */
    @Override
    public void publish(List<Change> changes) throws IOException {
        int done = 0;
        for (int attempt = 1; ; attempt++) {
            List<Change> rest = changes.subList(done, changes.size());
            try {
                done += publishOnce(rest);
                return;
            } catch (Vanished e) {
                // A concurrent delete removed a folder under this publish: apply what is left anew.
                done += e.done;
                if (attempt == PUBLISH_ATTEMPTS) {
                    throw (IOException) e.getCause();
                }
            }
        }
    }

    /** Applies the changes and returns how many; a folder removed under it is {@link Vanished}, with how many were applied. */
    private int publishOnce(List<Change> changes) throws IOException {
        Path[] staged = new Path[changes.size()];
        Set<Path> touched = new LinkedHashSet<>();
        List<Path> created = new ArrayList<>();
        int done = 0;
        try {
            stage(changes, staged, touched, created);
            for (; done < changes.size(); done++) {
                switch (changes.get(done)) {
                    case Change.Put put -> {
                        Files.move(staged[done], resolve(put.path()), ATOMIC_MOVE, REPLACE_EXISTING);
                        staged[done] = null;
                    }
                    case Change.Move move -> rename(move.from(), move.path(), touched, created);
                }
            }
            for (Path dir : touched) {
                try {
                    flusher.flushDirectory(dir);
                } catch (NoSuchFileException e) {
                    // removed by a concurrent delete since: nothing of it to make durable
                }
            }
            return done;
        } catch (IOException | RuntimeException e) {
            for (Path temp : staged) {
                if (temp != null) {
                    deleteQuietly(temp, e);
                }
            }
            removeEmpty(created, e);
            if (e instanceof NoSuchFileException vanished) {
                throw new Vanished(vanished, done);
            }
            if (e instanceof IOException io) {
                throw full(io, changes.get(Math.min(done, changes.size() - 1)).path());
            }
            throw e;
        }
    }

    /** A folder removed by a concurrent delete while a publish wrote into it; carries how many changes were applied. */
    private static final class Vanished extends IOException {
        final int done;

        Vanished(NoSuchFileException cause, int done) {
            super(cause);
            this.done = done;
        }
    }

    /** Writes each Put's content beside its target under a temporary name, then flushes them all. */
    private void stage(List<Change> changes, Path[] staged, Set<Path> touched, List<Path> created) throws IOException {
        List<FileChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < changes.size(); i++) {
                if (changes.get(i) instanceof Change.Put put) {
                    Path dir = resolve(put.path()).getParent();
                    note(touched, created, dir, createDirectories(dir));
                    staged[i] = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
                    FileChannel channel = FileChannel.open(staged[i], CREATE_NEW, WRITE);
                    open.add(channel);
                    ByteBuffer bytes = ByteBuffer.wrap(put.content());
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                }
            }
            int channel = 0;
            for (Path temp : staged) {
                if (temp != null) {
                    flusher.flushFile(temp, open.get(channel++));
                }
            }
        } finally {
            for (FileChannel channel : open) {
                channel.close();
            }
        }
    }

    /** Records the folders whose entries a change alters: its own, then those of the folders made for it. */
    private static void note(Set<Path> touched, List<Path> created, Path dir, List<Path> made) {
        touched.add(dir);
        for (int i = made.size() - 1; i >= 0; i--) {
            touched.add(made.get(i).getParent());
        }
        created.addAll(made);
    }

    /** Removes folders a failed write created, innermost first, unless something was put in them meanwhile. */
    private static void removeEmpty(List<Path> created, Exception cause) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (DirectoryNotEmptyException e) {
                // another writer uses it
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return Channels.newInputStream(channel(path, offset));
    }

    /** The file itself, so that serving it needs no copy through a stream. */
    @Override
    public FileChannel channel(String path, long offset) throws IOException {
        Path file = regularFile(path);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, READ);
        } catch (IOException e) {
            throw notFoundIfMissing(e, path, file);
        }
        try {
            if (offset < 0 || offset > channel.size()) {
                throw new InvalidOffset(path, offset);
            }
            channel.position(offset);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        Path file = resolve(path);
        FileChannel channel;
        List<Path> created = new ArrayList<>();
        try {
            // A writer's file is not published yet: the move or put that publishes it makes names durable.
            created.addAll(createDirectories(file.getParent()));
            channel = append
                    ? FileChannel.open(file, CREATE, WRITE)
                    : FileChannel.open(file, CREATE, WRITE, TRUNCATE_EXISTING);
        } catch (IOException e) {
            removeEmpty(created, e);
            throw full(e, path);
        }
        try {
            channel.position(channel.size());
            return new FilesystemWriter(path, file, channel, flusher);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        Path file = resolve(path);
        if (ROOT.equals(path) && !Files.exists(file)) {
            return new FileInfo(path, 0, Instant.EPOCH, true);
        }
        return info(path, attributes(path, file));
    }

    @Override
    public List<String> list(String path) throws IOException {
        Path dir = resolve(path);
        if (ROOT.equals(path) && !Files.exists(dir)) {
            return List.of();
        }
        if (!attributes(path, dir).isDirectory()) {
            throw new PathNotFound(path);
        }
        try {
            return childNames(dir).stream().map(name -> child(path, name)).toList();
        } catch (IOException e) {
            throw notFoundIfMissing(e, path, dir);
        }
    }

    @Override
    public List<String> listPage(String path, String after, int limit) throws IOException {
        Path dir = resolve(path);
        if (ROOT.equals(path) && !Files.exists(dir)) {
            return List.of();
        }
        if (!attributes(path, dir).isDirectory()) {
            throw new PathNotFound(path);
        }
        // A directory is read in no order: one pass keeps the first names after the marker, so memory
        // holds a page whatever the folder's size.
        TreeSet<String> page = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX) && name.compareTo(after) > 0 && page.add(name) && page.size() > limit) {
                    page.pollLast();
                }
            }
        } catch (IOException e) {
            throw notFoundIfMissing(e, path, dir);
        }
        return page.stream().map(name -> child(path, name)).toList();
    }

    @Override
    public void move(String source, String destination) throws IOException {
        publish(List.of(new Change.Move(source, destination)));
    }

    private void rename(String source, String destination, Set<Path> touched, List<Path> createdDirs) throws IOException {
        Path from = resolve(source);
        Path to = resolve(destination);
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathNotFound(source);
        }
        if (source.equals(destination)) {
            return;
        }
        if (destination.startsWith(source + "/")) {
            throw new FileSystemException(source, destination, "cannot move a directory into itself");
        }
        List<Path> made = createDirectories(to.getParent());
        note(touched, createdDirs, to.getParent(), made);
        try {
            Files.move(from, to, ATOMIC_MOVE, REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
                throw new PathNotFound(source);
            }
            throw e; // the destination's folder was removed meanwhile
        }
    }

    @Override
    public void delete(String path) throws IOException {
        Path target = resolve(path);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathNotFound(path);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                deleteTree(target);
                return;
            } catch (DirectoryNotEmptyException e) {
                // A concurrent write put a file in a folder being removed: remove it too, a few times at most.
                if (attempt == PUBLISH_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static void deleteTree(Path target) throws IOException {
        // Resolving a path never yields a prefix sibling, so /a/bc survives deleting /a/b by construction.
        Files.walkFileTree(target, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // someone else deleted it first: fine
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Walks the whole root, since small-file writes stage their temporary files beside their targets. */
    @Override
    public int removeStaleTemporaryFiles(Duration age) throws IOException {
        // File times come from the system's clock, so the cutoff must too, whatever clock the registry runs on.
        Instant cutoff = Instant.now().minus(age);
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int[] removed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.getFileName().toString().startsWith(TEMP_PREFIX) && attrs.isRegularFile()
                        && attrs.lastModifiedTime().toInstant().isBefore(cutoff) && Files.deleteIfExists(file)) {
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // deleted while we walk
                }
                throw e;
            }
        });
        return removed[0];
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        Path start = resolve(path);
        if (ROOT.equals(path) && !Files.exists(start)) {
            return;
        }
        if (attributes(path, start).isDirectory()) {
            walkChildren(path, start, visitor);
        }
    }

    private void walkChildren(String path, Path dir, Consumer<FileInfo> visitor) throws IOException {
        List<String> names;
        try {
            names = childNames(dir);
        } catch (NoSuchFileException e) {
            return; // deleted while we walk, by a concurrent delete say: nothing left to visit
        }
        for (String name : names) {
            String childPath = child(path, name);
            Path file = dir.resolve(name);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue;
            }
            visitor.accept(info(childPath, attrs));
            if (attrs.isDirectory()) {
                walkChildren(childPath, file, visitor);
            }
        }
    }

    private Path resolve(String path) throws InvalidPath {
        if (ROOT.equals(path)) {
            return root;
        }
        // The one backend where a bad path escapes its root: check even when not wrapped.
        if (!CheckedStorageDriver.isValid(path)) {
            throw new InvalidPath(path);
        }
        return root.resolve(path.substring(1));
    }

    private Path regularFile(String path) throws IOException {
        Path file = resolve(path);
        if (attributes(path, file).isDirectory()) {
            throw new PathNotFound(path);
        }
        return file;
    }

    private BasicFileAttributes attributes(String path, Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw notFoundIfMissing(e, path, file);
        }
    }

    /**
     * Turns "no such file" into PathNotFound. A path below a regular file fails with ENOTDIR, which
     * Java reports as a plain FileSystemException; that path does not exist either.
     */
    private static IOException notFoundIfMissing(IOException e, String path, Path file) {
        boolean missing = e instanceof NoSuchFileException
                || (e instanceof FileSystemException && !(e instanceof AccessDeniedException) && !Files.exists(file));
        return missing ? new PathNotFound(path) : e;
    }

    private static List<String> childNames(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX)) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return names;
    }

    private static String child(String path, String name) {
        return ROOT.equals(path) ? ROOT + name : path + "/" + name;
    }

    private static FileInfo info(String path, BasicFileAttributes attrs) {
        boolean dir = attrs.isDirectory();
        return new FileInfo(path, dir ? 0 : attrs.size(), attrs.lastModifiedTime().toInstant(), dir);
    }

    /** Creates missing directories top down, syncing each one's parent so that the new entry survives a crash. */
    /**
     * Creates missing folders, outermost first, and returns those it created. Their names are not
     * flushed here: whoever publishes a file in them flushes them afterwards, in one go.
     */
    private static List<Path> createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        List<Path> created = new ArrayList<>(missing.size());
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
                // A concurrent call created it and may not have flushed its parent yet: flush it here too.
            }
            created.add(p);
        }
        return created;
    }

    /**
     * ENOSPC and EDQUOT as the driver's typed error, so that the registry answers that the storage is
     * full rather than failing; the JDK reports them only by their message.
     */
    static IOException full(IOException e, String path) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
                return new StorageFull(path, e);
            }
        }
        return e;
    }

    private static void deleteQuietly(Path file, Exception cause) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
