package io.berth.storage.driver.inmemory;

import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException.InvalidOffset;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/** Keeps every file in memory, for tests and throwaway registries; directories are implied by the files under them. */
public final class InMemoryDriver implements StorageDriver {

    private static final String ROOT = "/";

    /** An immutable file: content is never changed in place, so readers can never see a torn write. */
    private record Entry(byte[] content, Instant modified) {}

    /** Files by full path. Sorted so that everything under a directory is one contiguous range. */
    private final TreeMap<String, Entry> files = new TreeMap<>();
    // One lock over the whole map: moves and deletes of directories touch many keys and must look atomic.
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return file(path).content().clone();
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        byte[] copy = content.clone();
        locked(lock.writeLock(), () -> store(path, copy));
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        byte[] content = file(path).content();
        if (offset < 0 || offset > content.length) {
            throw new InvalidOffset(path, offset);
        }
        return new ByteArrayInputStream(content, (int) offset, content.length - (int) offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        byte[] base = locked(lock.writeLock(), () -> {
            Entry existing = files.get(path);
            if (append && existing != null) {
                return existing.content();
            }
            return store(path, new byte[0]);
        });
        return new InMemoryWriter(this, path, base);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return locked(lock.readLock(), () -> {
            Entry entry = files.get(path);
            if (entry != null) {
                return new FileInfo(path, entry.content().length, entry.modified(), false);
            }
            Node dir = directory(path);
            if (dir == null) {
                throw new PathNotFound(path);
            }
            return new FileInfo(path, 0, dir.modified, true);
        });
    }

    @Override
    public List<String> list(String path) throws IOException {
        Node dir = locked(lock.readLock(), () -> directory(path));
        if (dir == null) {
            throw new PathNotFound(path);
        }
        return dir.children.keySet().stream().map(name -> child(path, name)).toList();
    }

    @Override
    public List<String> listPage(String path, String after, int limit) throws IOException {
        return locked(lock.readLock(), () -> {
            SortedMap<String, Entry> under = under(path);
            if (files.containsKey(path) || (under.isEmpty() && !ROOT.equals(path))) {
                throw new PathNotFound(path);
            }
            // Keys sort by whole path, where "a-b" comes before "a/x": gather names, keep the first few.
            int start = ROOT.equals(path) ? 1 : path.length() + 1;
            TreeSet<String> page = new TreeSet<>();
            for (String key : under.tailMap(key(path, after)).keySet()) {
                int slash = key.indexOf('/', start);
                String name = slash < 0 ? key.substring(start) : key.substring(start, slash);
                if (name.compareTo(after) > 0 && page.add(name) && page.size() > limit) {
                    page.pollLast();
                }
            }
            return page.stream().map(name -> child(path, name)).toList();
        });
    }

    @Override
    public void move(String source, String destination) throws IOException {
        locked(lock.writeLock(), () -> {
            Entry file = files.get(source);
            SortedMap<String, Entry> under = under(source);
            if (file == null && under.isEmpty()) {
                throw new PathNotFound(source);
            }
            if (source.equals(destination)) {
                return null;
            }
            if (destination.startsWith(source + "/")) {
                throw new FileSystemException(source, destination, "cannot move a directory into itself");
            }
            checkParentsAreDirectories(destination);
            if (!under(destination).isEmpty()) {
                throw new DirectoryNotEmptyException(destination);
            }
            if (file != null) {
                files.put(destination, files.remove(source));
                return null;
            }
            if (files.containsKey(destination)) {
                throw new NotDirectoryException(destination); // as rename(2): a directory cannot replace a file
            }
            for (Map.Entry<String, Entry> moved : new ArrayList<>(under.entrySet())) {
                files.put(destination + moved.getKey().substring(source.length()), moved.getValue());
            }
            under.clear();
            return null;
        });
    }

    @Override
    public void delete(String path) throws IOException {
        locked(lock.writeLock(), () -> {
            SortedMap<String, Entry> under = under(path);
            if (files.remove(path) == null && under.isEmpty()) {
                throw new PathNotFound(path);
            }
            under.clear(); // the range is path + "/" onwards, so siblings such as path + "c" are spared
            return null;
        });
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        Node dir = locked(lock.readLock(), () -> {
            if (files.containsKey(path)) {
                return new Node(); // a file has nothing under it
            }
            Node found = directory(path);
            if (found == null) {
                throw new PathNotFound(path);
            }
            return found;
        });
        // Visit outside the lock: a visitor may well delete what it is shown.
        visit(path, dir, visitor);
    }

    /** Publishes what a writer wrote: the whole new content replaces the old at once. */
    void publish(String path, byte[] content) throws IOException {
        locked(lock.writeLock(), () -> store(path, content));
    }

    /** Removes a cancelled writer's file. */
    void discard(String path) throws IOException {
        locked(lock.writeLock(), () -> files.remove(path));
    }

    private Entry file(String path) throws IOException {
        Entry entry = locked(lock.readLock(), () -> files.get(path));
        if (entry == null) {
            throw new PathNotFound(path);
        }
        return entry;
    }

    /** Stores a file, refusing what a filesystem would refuse. Caller holds the write lock. */
    private byte[] store(String path, byte[] content) throws IOException {
        checkParentsAreDirectories(path);
        if (!under(path).isEmpty()) {
            throw new FileSystemException(path, null, "is a directory");
        }
        files.put(path, new Entry(content, Instant.now()));
        return content;
    }

    private void checkParentsAreDirectories(String path) throws NotDirectoryException {
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String parent = path.substring(0, slash);
            if (files.containsKey(parent)) {
                throw new NotDirectoryException(parent);
            }
        }
    }

    /** Every file strictly under a directory, as a live view. Caller holds the lock. */
    private SortedMap<String, Entry> under(String path) {
        if (ROOT.equals(path)) {
            return files;
        }
        // '0' follows '/' in ASCII: the range holds exactly the keys that start with path + "/".
        return files.subMap(path + "/", path + "0");
    }

    /** The tree under a directory, or null when there is no directory at the path. Caller holds the lock. */
    private Node directory(String path) {
        SortedMap<String, Entry> under = under(path);
        if (files.containsKey(path) || (under.isEmpty() && !ROOT.equals(path))) {
            return null;
        }
        Node top = new Node();
        int start = ROOT.equals(path) ? 1 : path.length() + 1;
        for (Map.Entry<String, Entry> file : under.entrySet()) {
            Node node = top;
            for (String name : file.getKey().substring(start).split("/")) {
                node.touch(file.getValue().modified());
                node = node.children.computeIfAbsent(name, n -> new Node());
            }
            node.file = file.getValue();
            node.touch(file.getValue().modified());
        }
        return top;
    }

    private static void visit(String path, Node dir, Consumer<FileInfo> visitor) {
        for (Map.Entry<String, Node> entry : dir.children.entrySet()) {
            String childPath = child(path, entry.getKey());
            Node node = entry.getValue();
            if (node.file != null) {
                visitor.accept(new FileInfo(childPath, node.file.content().length, node.file.modified(), false));
            } else {
                visitor.accept(new FileInfo(childPath, 0, node.modified, true));
                visit(childPath, node, visitor);
            }
        }
    }

    /** Where the keys of a directory's children named from {@code after} on begin. */
    private static String key(String path, String after) {
        return ROOT.equals(path) ? ROOT + after : path + "/" + after;
    }

    private static String child(String path, String name) {
        return ROOT.equals(path) ? ROOT + name : path + "/" + name;
    }

    /** A snapshot of one directory level: children by name (so in lexical order), or a file. */
    private static final class Node {
        final TreeMap<String, Node> children = new TreeMap<>();
        Entry file;
        // A directory's time is that of its newest file, as nothing else records when it changed.
        Instant modified = Instant.EPOCH;

        void touch(Instant time) {
            if (time.isAfter(modified)) {
                modified = time;
            }
        }
    }

    private interface Action<T> {
        T run() throws IOException;
    }

    private static <T> T locked(Lock lock, Action<T> action) throws IOException {
        lock.lock();
        try {
            return action.run();
        } finally {
            lock.unlock();
        }
    }
}
