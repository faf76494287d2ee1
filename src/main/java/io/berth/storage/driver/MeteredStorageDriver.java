package io.berth.storage.driver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Decorates a driver with a latency histogram and an error counter per operation, under
 * Distribution's operation names (GetContent, Stat, ...). Opening a reader or writer is timed, not
 * the bytes that flow through it afterwards; a writer's commit, which waits for the disk or the
 * object store, is timed on its own. "Path not found", a bad offset or path are answers about the
 * request, not storage failures, so they are not errors.
 */
public final class MeteredStorageDriver implements StorageDriver {

    private final StorageDriver driver;
    private final Timer getContent;
    private final Timer putContent;
    private final Timer reader;
    private final Timer writer;
    private final Timer commit;
    private final Timer stat;
    private final Timer list;
    private final Timer move;
    private final Timer publish;
    private final Timer delete;
    private final Timer walk;

    /** Where one operation's calls are recorded, e.g. a Prometheus histogram and error counter. */
    @FunctionalInterface
    public interface Timer {
        /** One call that took {@code nanos}; {@code failed} when the storage failed, not merely answered "not found". */
        void record(long nanos, boolean failed);
    }

    /** Times {@code driver}; {@code timers} gives the timer of a driver name and an operation name, asked once for each. */
    public MeteredStorageDriver(StorageDriver driver, BiFunction<String, String, Timer> timers) {
        this.driver = driver;
        String name = driver.name();
        getContent = timers.apply(name, "GetContent");
        putContent = timers.apply(name, "PutContent");
        reader = timers.apply(name, "Reader");
        writer = timers.apply(name, "Writer");
        commit = timers.apply(name, "Commit");
        stat = timers.apply(name, "Stat");
        list = timers.apply(name, "List");
        move = timers.apply(name, "Move");
        publish = timers.apply(name, "Publish");
        delete = timers.apply(name, "Delete");
        walk = timers.apply(name, "Walk");
    }

    /** One storage call, for {@link #timed}. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private static <T> T timed(Timer operation, Call<T> call) throws IOException {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = call.run();
            failed = false;
            return result;
        } catch (StorageDriverException e) {
            failed = false;
            throw e;
        } finally {
            operation.record(System.nanoTime() - start, failed);
        }
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return timed(getContent, () -> driver.getContent(path));
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        timed(putContent, () -> {
            driver.putContent(path, content);
            return null;
        });
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return timed(reader, () -> driver.reader(path, offset));
    }

    @Override
    public ReadableByteChannel channel(String path, long offset) throws IOException {
        return timed(reader, () -> driver.channel(path, offset));
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return new MeteredWriter(timed(writer, () -> driver.writer(path, append)));
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return timed(stat, () -> driver.stat(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return timed(list, () -> driver.list(path));
    }

    @Override
    public List<String> listPage(String path, String after, int limit) throws IOException {
        return timed(list, () -> driver.listPage(path, after, limit));
    }

    @Override
    public void move(String source, String destination) throws IOException {
        timed(move, () -> {
            driver.move(source, destination);
            return null;
        });
    }

    @Override
    public void publish(List<Change> changes) throws IOException {
        timed(publish, () -> {
            driver.publish(changes);
            return null;
        });
    }

    @Override
    public void delete(String path) throws IOException {
        timed(delete, () -> {
            driver.delete(path);
            return null;
        });
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        timed(walk, () -> {
            driver.walk(path, visitor);
            return null;
        });
    }

    /** Presigning is local work, not a storage call: passed through untimed. */
    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        return driver.redirectUrl(path);
    }

    @Override
    public int removeStaleTemporaryFiles(Duration age) throws IOException {
        return driver.removeStaleTemporaryFiles(age);
    }

    @Override
    public void close() throws IOException {
        driver.close();
    }

    /** Passes writes straight through and times the commit. */
    private final class MeteredWriter extends FileWriter {
        private final FileWriter out;

        MeteredWriter(FileWriter out) {
            this.out = out;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void write(java.nio.ByteBuffer bytes) throws IOException {
            out.write(bytes);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public long size() {
            return out.size();
        }

        @Override
        public void commit() throws IOException {
            timed(commit, () -> {
                out.commit();
                return null;
            });
        }

        @Override
        public void cancel() throws IOException {
            out.cancel();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
