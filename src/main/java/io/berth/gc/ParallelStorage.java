package io.berth.gc;

import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The driver calls of a collection, at most {@link #IN_FLIGHT} at once, and a way to run steps on
 * virtual threads. Distribution walks one path at a time; on S3 every call is a round trip, on a
 * filesystem a system call, so a bounded number in flight is what makes a collection fast. What
 * another writer removed meanwhile reads as missing, never as a failure.
 */
final class ParallelStorage implements AutoCloseable {

    /** Driver calls in flight: enough to hide S3's latency, few enough for a small connection pool. */
    static final int IN_FLIGHT = 48;

    /** A step that may fail with I/O. */
    interface Step<T> {
        void accept(T value) throws IOException;
    }

    /** A driver call. */
    private interface Call<R> {
        R call() throws IOException;
    }

    private final StorageDriver driver;
    /**
     * Driver calls run on platform threads: a blocking file system call pins the carrier of a
     * virtual thread, and with as many carriers as cores, the calls would go one per core at a time.
     */
    private final ExecutorService calls = Executors.newFixedThreadPool(IN_FLIGHT, Thread.ofPlatform().daemon().name("gc-storage-", 0).factory());

    ParallelStorage(StorageDriver driver) {
        this.driver = driver;
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }

    /** The children of a folder, or none when it is missing (or a file). */
    List<String> list(String path) throws IOException {
        List<String> children = bounded(() -> {
            try {
                return driver.list(path);
            } catch (StorageDriverException.PathNotFound e) {
                return null;
            }
        });
        return children == null ? List.of() : children;
    }

    /** A small file's content, or null when it is missing. */
    byte[] content(String path) throws IOException {
        return bounded(() -> {
            try {
                return driver.getContent(path);
            } catch (StorageDriverException.PathNotFound e) {
                return null;
            }
        });
    }

    /** What the driver knows of a path, or null when it is missing. */
    FileInfo stat(String path) throws IOException {
        return bounded(() -> {
            try {
                return driver.stat(path);
            } catch (StorageDriverException.PathNotFound e) {
                return null;
            }
        });
    }

    /** Deletes a file or folder; false when it was gone already. */
    boolean delete(String path) throws IOException {
        return bounded(() -> {
            try {
                driver.delete(path);
                return true;
            } catch (StorageDriverException.PathNotFound e) {
                return false;
            }
        });
    }

    private <R> R bounded(Call<R> call) throws IOException {
        Future<R> result = calls.submit(call::call);
        try {
            return result.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause());
            }
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Runs the step for every item, each on a virtual thread of its own, and returns when all are
     * done; the first failure is thrown once the others have stopped. Steps may nest: the bound is
     * on driver calls, not on steps, so a step waiting for its children holds no permit.
     */
    static <T> void each(Collection<T> items, Step<T> step) throws IOException {
        if (items.size() < 2) {
            for (T item : items) {
                step.accept(item);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(items.size());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T item : items) {
                futures.add(threads.submit(() -> {
                    step.accept(item);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                join(future, futures);
            }
        }
    }

    private static void join(Future<?> future, List<Future<?>> all) throws IOException {
        try {
            future.get();
        } catch (ExecutionException e) {
            all.forEach(f -> f.cancel(true));
            switch (e.getCause()) {
                case IOException io -> throw io;
                case UncheckedIOException io -> throw io.getCause();
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause());
            }
        } catch (InterruptedException e) {
            all.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
