package io.berth.testing;

import io.berth.storage.driver.Change;
import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** A real driver with every call counted by method and path, to see what reaches storage. */
public final class CountingDriver implements StorageDriver {

    private final StorageDriver driver;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<Hold> hold = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Stops the next call of {@code method} on a path containing {@code pathPart} after it did its work
     * and before it returns, until the test releases it: a read that saw the old state, held back.
     */
    public record Hold(String method, String pathPart, java.util.concurrent.CountDownLatch reached,
            java.util.concurrent.CountDownLatch released) {

        /** Waits until the held call has done its work. */
        public void awaitReached() throws InterruptedException {
            if (!reached.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("no " + method + " of a path with " + pathPart + " came");
            }
        }

        public void release() {
            released.countDown();
        }
    }

    public Hold holdNext(String method, String pathPart) {
        Hold next = new Hold(method, pathPart, new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.CountDownLatch(1));
        hold.set(next);
        return next;
    }

    private void held(String method, String path) {
        Hold current = hold.get();
        if (current != null && current.method().equals(method) && path.contains(current.pathPart()) && hold.compareAndSet(current, null)) {
            current.reached().countDown();
            try {
                current.released().await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public CountingDriver(StorageDriver driver) {
        this.driver = driver;
    }

    /** Runs at close, before the driver closes, which it does even when this throws. */
    @FunctionalInterface
    public interface Closing {
        void run() throws IOException;
    }

    private volatile Closing closing = () -> {};

    /** What to do when closed: look at what is still open, or fail as a driver's close can. */
    public void onClose(Closing action) {
        closing = action;
    }

    /** Calls of one method whose path contains {@code pathPart} ("" for any). */
    public long count(String method, String pathPart) {
        return calls.entrySet().stream()
                .filter(e -> e.getKey().startsWith(method + " ") && e.getKey().contains(pathPart))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** Every call so far, by method and path. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        calls.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    public void reset() {
        calls.clear();
    }

    private void record(String method, String path) {
        calls.computeIfAbsent(method + " " + path, k -> new LongAdder()).increment();
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        record("getContent", path);
        byte[] content = driver.getContent(path);
        held("getContent", path);
        return content;
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        record("putContent", path);
        driver.putContent(path, content);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        record("reader", path);
        return driver.reader(path, offset);
    }

    @Override
    public ReadableByteChannel channel(String path, long offset) throws IOException {
        record("channel", path);
        return driver.channel(path, offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        record("writer", path);
        return driver.writer(path, append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        record("stat", path);
        return driver.stat(path);
    }

    @Override
    public List<String> list(String path) throws IOException {
        record("list", path);
        return driver.list(path);
    }

    @Override
    public void move(String source, String destination) throws IOException {
        record("move", destination);
        driver.move(source, destination);
    }

    @Override
    public void publish(List<Change> changes) throws IOException {
        for (Change change : changes) {
            count("publish", change.path());
        }
        driver.publish(changes);
    }

    @Override
    public void delete(String path) throws IOException {
        record("delete", path);
        driver.delete(path);
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        record("walk", path);
        driver.walk(path, visitor);
    }

    @Override
    public void close() throws IOException {
        record("close", "");
        try {
            closing.run();
        } finally {
            driver.close();
        }
    }
}
