package io.berth.storage.driver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Decorates a driver with the path checks every driver needs, so drivers implement raw I/O only. */
public final class CheckedStorageDriver implements StorageDriver {

    private static final int MAX_LENGTH = 4096;

    private final StorageDriver driver;

    private CheckedStorageDriver(StorageDriver driver) {
        this.driver = driver;
    }

    /** Wraps a driver, unless it is wrapped already. */
    public static StorageDriver wrap(StorageDriver driver) {
        return driver instanceof CheckedStorageDriver ? driver : new CheckedStorageDriver(driver);
    }

    /**
     * True for a path any driver accepts: absolute, segments of {@code [A-Za-z0-9._:-]}, no empty,
     * "." or ".." segment. A single pass, since every storage call of every request checks one.
     */
    public static boolean isValid(String path) {
        if (path == null || path.length() < 2 || path.length() > MAX_LENGTH || path.charAt(0) != '/') {
            return false;
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i == path.length() ? '/' : path.charAt(i);
            if (c == '/') {
                int length = i - segmentStart;
                if (length == 0 || (length <= 2 && path.startsWith(length == 1 ? "." : "..", segmentStart))) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static String file(String path) throws StorageDriverException {
        if (!isValid(path)) {
            throw new StorageDriverException.InvalidPath(path);
        }
        return path;
    }

    private static String fileOrRoot(String path) throws StorageDriverException {
        return "/".equals(path) ? path : file(path);
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return driver.getContent(file(path));
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        driver.putContent(file(path), content);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        if (offset < 0) {
            throw new StorageDriverException.InvalidOffset(file(path), offset);
        }
        return driver.reader(file(path), offset);
    }

    @Override
    public ReadableByteChannel channel(String path, long offset) throws IOException {
        if (offset < 0) {
            throw new StorageDriverException.InvalidOffset(file(path), offset);
        }
        return driver.channel(file(path), offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return driver.writer(file(path), append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return driver.stat(fileOrRoot(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return driver.list(fileOrRoot(path));
    }

    @Override
    public void move(String source, String destination) throws IOException {
        driver.move(file(source), file(destination));
    }

    @Override
    public void publish(List<Change> changes) throws IOException {
        for (Change change : changes) {
            file(change.path());
            if (change instanceof Change.Move move) {
                file(move.from());
            }
        }
        driver.publish(changes);
    }

    @Override
    public void delete(String path) throws IOException {
        driver.delete(file(path));
    }

    @Override
    public List<String> listPage(String path, String after, int limit) throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one name");
        }
        return driver.listPage(fileOrRoot(path), after, limit);
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        driver.walk(fileOrRoot(path), visitor);
    }

    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        return driver.redirectUrl(file(path));
    }

    @Override
    public int removeStaleTemporaryFiles(Duration age) throws IOException {
        return driver.removeStaleTemporaryFiles(age);
    }

    @Override
    public void close() throws IOException {
        driver.close();
    }
}
