package io.berth.storage.driver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Decorates a driver with the path checks every driver needs, so drivers implement raw I/O only. */
public final class CheckedStorageDriver implements StorageDriver {

    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._:-]+)+");
    private static final int MAX_LENGTH = 4096;

    private final StorageDriver driver;

    private CheckedStorageDriver(StorageDriver driver) {
        this.driver = driver;
    }

    /** Wraps a driver, unless it is wrapped already. */
    public static StorageDriver wrap(StorageDriver driver) {
        return driver instanceof CheckedStorageDriver ? driver : new CheckedStorageDriver(driver);
    }

    /** True for a path any driver accepts: absolute, no empty, "." or ".." segment, no odd character. */
    public static boolean isValid(String path) {
        if (path == null || path.length() > MAX_LENGTH || !PATH.matcher(path).matches()) {
            return false;
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
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
    public void delete(String path) throws IOException {
        driver.delete(file(path));
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        driver.walk(fileOrRoot(path), visitor);
    }

    @Override
    public void close() throws IOException {
        driver.close();
    }
}
