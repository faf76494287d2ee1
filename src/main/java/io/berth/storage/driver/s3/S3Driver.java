package io.berth.storage.driver.s3;

import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException.InvalidOffset;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import io.berth.storage.driver.s3.Bucket.Entry;
import io.berth.storage.driver.s3.Bucket.Part;
import io.berth.storage.driver.s3.Bucket.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Stores driver path {@code /a/b} as the object {@code <rootdirectory>/a/b} of one bucket, the keys
 * Distribution's s3 driver uses, so that either can serve the other's bucket. Directories are key
 * prefixes. A writer's bytes go to S3 as parts of a multipart upload, so that an upload continued by
 * a later request, or by another process, continues the same parts.
 *
 * <p>Where S3 differs from a filesystem: a directory move is a copy of each file, not atomic; the
 * checks that a write does not put a file where a directory is, or below a file, cost requests, and
 * this process remembers which paths it saw to be directories so as to spare most of them. A file
 * whose writer was closed without a commit is an unfinished multipart upload, which S3 cannot read:
 * reading or moving it completes the upload first, and a later append continues from the result.
 *
 * <p>This class holds the filesystem semantics only: S3 itself is behind {@link Bucket}, requests on
 * many keys at once behind {@link BulkRequests}, the writers' part buffers in a {@link PartPool}.
 */
public final class S3Driver implements StorageDriver {

    /** How long a redirect URL stays valid, as in Distribution. */
    static final Duration REDIRECT_EXPIRY = Duration.ofMinutes(20);
    /** What a blob's channel reads from S3 per call. */
    private static final int READ_PIECE = 64 * 1024;
    /** A part is at most this big whatever the chunk size. */
    private static final long MAX_BUFFERED_PART = 1L << 30;

    private final S3Settings settings;
    private final Bucket bucket;
    private final PartPool partPool;
    private final BulkRequests bulk;
    private final KnownDirectories directories = new KnownDirectories();

    /** A driver whose writers gather parts in a quarter of the heap, then in temporary files. */
    public S3Driver(S3Settings settings) {
        this(settings, PartBufferSettings.defaults());
    }

    public S3Driver(S3Settings settings, PartBufferSettings buffers) {
        this.settings = settings;
        this.bucket = new Bucket(settings);
        this.partPool = new PartPool(buffers, partSize());
        this.bulk = new BulkRequests(bucket, settings);
    }

    @Override
    public String name() {
        return "s3";
    }

    Bucket bucket() {
        return bucket;
    }

    PartPool partPool() {
        return partPool;
    }

    BulkRequests bulk() {
        return bulk;
    }

    /** The bytes a writer gathers before sending them as one part. */
    int partSize() {
        return (int) Math.min(settings.chunkSize(), MAX_BUFFERED_PART);
    }

    // ---- paths and keys

    private String key(String path) {
        return bucket.key(path);
    }

    /** The prefix of every key under a directory. */
    private String under(String path) {
        return "/".equals(path) ? key(path) : key(path) + "/";
    }

    private static String child(String path, String name) {
        return "/".equals(path) ? "/" + name : path + "/" + name;
    }

    // ---- StorageDriver

    @Override
    public byte[] getContent(String path) throws IOException {
        try (InputStream in = reader(path, 0)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        checkWritable(path);
        bucket.put(key(path), Bucket.Content.of(content));
        directories.fileWritten(path);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        String key = key(path);
        for (boolean retried = false; ; retried = true) {
            try {
                return bucket.get(key, offset);
            } catch (InvalidOffset e) {
                // S3 refuses a range starting at the end; a reader there simply reads nothing.
                Entry object = bucket.head(key);
                if (object == null) {
                    throw new PathNotFound(path);
                }
                if (offset == object.size()) {
                    return InputStream.nullInputStream();
                }
                throw e;
            } catch (PathNotFound e) {
                if (retried || !materialize(key)) {
                    throw e;
                }
            }
        }
    }

    /** The object's stream read in large pieces: the JDK's adapter moves 8 KiB per call through the SDK's streams. */
    @Override
    public ReadableByteChannel channel(String path, long offset) throws IOException {
        InputStream in = reader(path, offset);
        return new ReadableByteChannel() {
            private final byte[] piece = new byte[READ_PIECE];
            private boolean open = true;

            @Override
            public int read(ByteBuffer target) throws IOException {
                int n = in.read(piece, 0, Math.min(piece.length, target.remaining()));
                if (n > 0) {
                    target.put(piece, 0, n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() throws IOException {
                open = false;
                in.close();
            }
        };
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        String key = key(path);
        if (!append) {
            checkWritable(path);
            directories.fileWritten(path);
            return S3Writer.truncating(this, path, key);
        }
        Upload upload = newestUpload(key);
        Entry object = bucket.head(key);
        List<Part> parts = upload == null ? List.of() : bucket.parts(key, upload.id());
        if (upload != null && parts.isEmpty()) {
            bucket.abort(key, upload.id());
            upload = null;
        }
        if (upload != null && object != null) {
            if (total(parts) == object.size() && !upload.initiated().isBefore(object.modified())) {
                // A writer copied the object into its parts and stopped before deleting it: the parts are the file.
                bucket.delete(key);
                object = null;
            } else {
                // The object was written over an upload someone left: the object is the file.
                bucket.abort(key, upload.id());
                upload = null;
            }
        }
        if (upload != null) {
            return S3Writer.continuing(this, path, key, upload.id(), parts);
        }
        if (object != null) {
            return S3Writer.appending(this, path, key, object.size());
        }
        checkWritable(path);
        directories.fileWritten(path);
        return S3Writer.creating(this, path, key);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        if ("/".equals(path)) {
            return new FileInfo(path, 0, Instant.EPOCH, true);
        }
        String key = key(path);
        Entry object = bucket.head(key);
        if (object != null) {
            return new FileInfo(path, object.size(), object.modified(), false);
        }
        // A directory, or a file whose writer closed without committing: both asked at once.
        List<Callable<Object>> asks = List.of(() -> firstModifiedUnder(key + "/"), () -> unfinished(path, key));
        List<Object> answers = BulkRequests.all(asks);
        if (answers.get(0) instanceof Instant directory) {
            return new FileInfo(path, 0, directory, true);
        }
        if (answers.get(1) instanceof FileInfo unfinished) {
            return unfinished;
        }
        throw new PathNotFound(path);
    }

    /** A file that is only an open upload, sized by its parts so far; null when there is none. */
    private FileInfo unfinished(String path, String key) throws IOException {
        Upload upload = newestUpload(key);
        if (upload != null) {
            List<Part> parts = bucket.parts(key, upload.id());
            if (!parts.isEmpty()) {
                return new FileInfo(path, total(parts), upload.initiated(), false);
            }
        }
        return null;
    }

    @Override
    public List<String> list(String path) throws IOException {
        String start = under(path);
        List<String> names = new ArrayList<>();
        for (Bucket.Page page : bucket.pages(start, "/")) {
            for (Entry object : page.objects()) {
                String name = object.key().substring(start.length());
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
            for (String common : page.prefixes()) {
                String name = common.substring(start.length(), common.length() - 1);
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        if (names.isEmpty() && !"/".equals(path)) {
            throw new PathNotFound(path);
        }
        // S3 sorts whole keys, where "b.txt" comes before "b/"; a listing sorts names.
        names.sort(null);
        return names.stream().map(name -> child(path, name)).toList();
    }

    @Override
    public List<String> listPage(String path, String after, int limit) throws IOException {
        String start = under(path);
        String startAfter = null;
        if (!after.isEmpty()) {
            // S3 orders a directory as "name/": start past everything in it ('~' follows every path character).
            boolean directory = firstModifiedUnder(start + after + "/") != null;
            startAfter = start + after + (directory ? "/~" : "");
        }
        List<String> page = new ArrayList<>();
        for (String key : bucket.keysAfter(start, startAfter, limit + 1)) {
            String name = key.endsWith("/") ? key.substring(start.length(), key.length() - 1) : key.substring(start.length());
            if (!name.isEmpty() && page.size() < limit) {
                page.add(child(path, name));
            }
        }
        if (page.isEmpty() && after.isEmpty() && !"/".equals(path)) {
            throw new PathNotFound(path);
        }
        return page;
    }

    @Override
    public void move(String source, String destination) throws IOException {
        String from = key(source);
        String to = key(destination);
        Entry file = bucket.head(from);
        if (file == null && materialize(from)) {
            file = bucket.head(from);
        }
        boolean directory = file == null && firstModifiedUnder(from + "/") != null;
        if (file == null && !directory) {
            throw new PathNotFound(source);
        }
        if (source.equals(destination)) {
            return;
        }
        if (destination.startsWith(source + "/")) {
            throw new FileSystemException(source, destination, "cannot move a directory into itself");
        }
        Probe target = probe(to);
        if (target.directory()) {
            throw new DirectoryNotEmptyException(destination);
        }
        if (directory && target.file() != null) {
            throw new NotDirectoryException(destination); // as rename(2): a directory cannot replace a file
        }
        if (target.file() == null) {
            checkParents(destination);
        }
        directories.fileWritten(destination);
        if (file != null) {
            bulk.copy(from, file.size(), to);
            bucket.delete(from);
        } else {
            moveTree(source, destination);
        }
    }

    /** Each file of a directory, one copy at a time: S3 has no rename. */
    private void moveTree(String source, String destination) throws IOException {
        String from = key(source) + "/";
        String to = key(destination) + "/";
        List<String> moved = new ArrayList<>();
        for (Entry object : objectsUnder(from)) {
            bulk.copy(object.key(), object.size(), to + object.key().substring(from.length()));
            moved.add(object.key());
        }
        bulk.deleteAll(moved);
        directories.deleted(source);
    }

    @Override
    public void delete(String path) throws IOException {
        String key = key(path);
        String dir = key + "/";
        Probe probe = probe(key);
        List<String> keys = new ArrayList<>();
        if (probe.directory()) {
            for (Entry object : objectsUnder(dir)) {
                keys.add(object.key());
            }
        }
        if (probe.file() != null) {
            keys.add(key);
        }
        boolean found = !keys.isEmpty();
        bulk.deleteAll(keys);
        // Unfinished writes of the file or below the directory: abandoned with it.
        for (Upload upload : bucket.uploads(key)) {
            if (upload.key().equals(key) || upload.key().startsWith(dir)) {
                bucket.abort(upload.key(), upload.id());
                found = true;
            }
        }
        directories.deleted(path);
        if (!found) {
            throw new PathNotFound(path);
        }
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        String start = under(path);
        List<Entry> objects = new ArrayList<>(objectsUnder(start));
        if (objects.isEmpty() && !"/".equals(path) && bucket.head(key(path)) == null) {
            throw new PathNotFound(path);
        }
        // One listing of every key below, ordered so that a directory comes before what it holds and
        // siblings are in lexical order: '/' sorts before every other character of a name.
        objects.sort(Comparator.comparing(Entry::key, S3Driver::compareSegments));
        Map<String, Instant> newest = new HashMap<>();
        for (Entry object : objects) {
            String relative = object.key().substring(start.length());
            for (int slash = relative.indexOf('/'); slash > 0; slash = relative.indexOf('/', slash + 1)) {
                newest.merge(relative.substring(0, slash), object.modified(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        Set<String> shown = new HashSet<>();
        for (Entry object : objects) {
            String relative = object.key().substring(start.length());
            for (int slash = relative.indexOf('/'); slash > 0; slash = relative.indexOf('/', slash + 1)) {
                String dir = relative.substring(0, slash);
                if (shown.add(dir)) {
                    visitor.accept(new FileInfo(child(path, dir), 0, newest.get(dir), true));
                }
            }
            visitor.accept(new FileInfo(child(path, relative), object.size(), object.modified(), false));
        }
    }

    /** A presigned GET of the file, valid for {@link #REDIRECT_EXPIRY}, for clients to fetch from S3 directly. */
    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        return Optional.of(bucket.presignedGet(key(path), REDIRECT_EXPIRY));
    }

    @Override
    public void close() {
        bucket.close();
    }

    // ---- what writers and the methods above share

    static long total(List<Part> parts) {
        return parts.stream().mapToLong(Part::size).sum();
    }

    /** The time of the first object below a prefix, or null when there is none: a directory exists when it has one. */
    private Instant firstModifiedUnder(String prefix) throws IOException {
        List<Entry> first = bucket.page(prefix, null, 1).objects();
        return first.isEmpty() ? null : first.getFirst().modified();
    }

    /** Every object below a prefix, as S3 lists them, leaving out folder markers other tools write. */
    private List<Entry> objectsUnder(String prefix) throws IOException {
        List<Entry> objects = new ArrayList<>();
        for (Bucket.Page page : bucket.pages(prefix, null)) {
            for (Entry object : page.objects()) {
                if (!object.key().endsWith("/")) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    /** The latest unfinished upload of exactly this key; older ones are leftovers and are aborted. */
    private Upload newestUpload(String key) throws IOException {
        List<Upload> mine = bucket.uploads(key).stream().filter(u -> u.key().equals(key))
                .sorted(Comparator.comparing(Upload::initiated).reversed()).toList();
        for (Upload stale : mine.subList(Math.min(1, mine.size()), mine.size())) {
            bucket.abort(key, stale.id());
        }
        return mine.isEmpty() ? null : mine.getFirst();
    }

    /**
     * Makes a closed, uncommitted file readable by completing its upload; false when there is none.
     * Its parts are valid as they are: a writer leaves only the last one below the minimum size.
     */
    private boolean materialize(String key) throws IOException {
        Upload upload = newestUpload(key);
        if (upload == null) {
            return false;
        }
        List<Part> parts = bucket.parts(key, upload.id());
        if (parts.isEmpty()) {
            return false;
        }
        try {
            bucket.complete(key, upload.id(), parts);
        } catch (PathNotFound e) {
            // completed or aborted meanwhile by another reader or writer: read what is there now
        }
        return true;
    }

    /**
     * Refuses to write a file where a directory is, or below a file, as a filesystem would. Looks at
     * the parent first: in a new folder the path itself cannot be anything yet.
     */
    private void checkWritable(String path) throws IOException {
        String parent = parent(path);
        if (parent == null || directories.contains(parent) || isDirectory(parent)) {
            Probe target = probe(key(path));
            if (target.directory()) {
                throw new FileSystemException(path, null, "is a directory");
            }
            return; // in a directory, as an existing file or a new one
        }
        checkParents(parent);
    }

    /**
     * Refuses to write below a file. Walks up from the parent to the first directory, known to this
     * process or seen in a listing: above a directory there are only directories. A write into an
     * existing folder costs one listing, into a new one a listing per new level.
     */
    private void checkParents(String path) throws IOException {
        for (String parent = parent(path); parent != null && !directories.contains(parent); parent = parent(parent)) {
            if (isDirectory(parent)) {
                return;
            }
        }
    }

    /** Whether a path is a directory; a file there is refused as the parent of anything. */
    private boolean isDirectory(String path) throws IOException {
        Probe probe = probe(key(path));
        if (probe.file() != null) {
            throw new NotDirectoryException(path);
        }
        return probe.directory();
    }

    /** The parent of a path, or null for a path at the top. */
    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? null : path.substring(0, slash);
    }


    /** What one listing tells of a key: the object of that name, and whether a directory of that name holds anything. */
    private record Probe(Entry file, boolean directory) {}

    /**
     * Lists the keys that start with {@code key}, one level deep: the object {@code key} sorts first,
     * and {@code key/} is among the prefixes unless siblings such as {@code key-x} filled the page.
     */
    private Probe probe(String key) throws IOException {
        Bucket.Page page = bucket.page(key, "/", Bucket.PAGE);
        Entry file = page.objects().stream().filter(o -> o.key().equals(key)).findFirst().orElse(null);
        boolean directory = page.prefixes().contains(key + "/");
        if (!directory && page.truncated()) {
            directory = firstModifiedUnder(key + "/") != null;
        }
        return new Probe(file, directory);
    }

    /** Keys in the order a walk visits paths: segment by segment, so '/' sorts first. */
    static int compareSegments(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return x == '/' ? -1 : y == '/' ? 1 : Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
