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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The driver calls of a collection, {@link #IN_FLIGHT} at once. Distribution walks one path at a
 * time; on S3 every call is a round trip, on a filesystem a system call that may wait for the disk,
 * so a bounded number in flight is what makes a collection fast. Each phase is a flat list of
 * steps run by {@link #map}; the phases themselves run in turn on the caller's thread. The steps
 * run on platform threads, since a blocking file call would pin a virtual thread's carrier, and
 * there are only as many carriers as cores. What another writer removed meanwhile reads as
 * missing, never as a failure.
 */
final class ParallelStorage implements AutoCloseable {

    /** Driver calls in flight: enough to hide S3's latency and a disk's, few enough for a small connection pool. */
    static final int IN_FLIGHT = 48;

    /** A step that may fail with I/O. */
    interface Step<T, R> {
        R apply(T value) throws IOException;
    }

    /** A step that gives nothing back. */
    interface Action<T> {
        void accept(T value) throws IOException;
    }

    private final StorageDriver driver;
    private final ExecutorService threads = Executors.newFixedThreadPool(IN_FLIGHT,
            Thread.ofPlatform().daemon().name("gc-storage-", 0).factory());

    ParallelStorage(StorageDriver driver) {
        this.driver = driver;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /**
     * The step's result for every item, in the items' order, once all are done. After a failure, or
     * when the caller is interrupted, the steps not yet started are skipped and those running are
     * waited for, so that nothing of a phase still runs when it has ended; then the first failure is
     * thrown. Never call it from a step: a step waiting for steps could wait for a thread it holds.
     */
    <T, R> List<R> map(Collection<T> items, Step<T, R> step) throws IOException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<R>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            futures.add(threads.submit(() -> stop.get() ? null : step.apply(item)));
        }
        List<R> results = new ArrayList<>(items.size());
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<R> future : futures) {
            while (true) {
                try {
                    results.add(future.get());
                    break;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    stop.set(true);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    stop.set(true);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            failure = failure == null ? new IOException("interrupted") : failure;
        }
        if (failure != null) {
            throw rethrown(failure);
        }
        return results;
    }

    /** {@link #map} for steps that return nothing. */
    <T> void each(Collection<T> items, Action<T> action) throws IOException {
        map(items, item -> {
            action.accept(item);
            return null;
        });
    }

    /** The children of a folder, or none when it is missing (or a file). */
    List<String> list(String path) throws IOException {
        try {
            return driver.list(path);
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
    }

    /** A small file's content, or null when it is missing. */
    byte[] content(String path) throws IOException {
        try {
            return driver.getContent(path);
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        }
    }

    /** What the driver knows of a path, or null when it is missing. */
    FileInfo stat(String path) throws IOException {
        try {
            return driver.stat(path);
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        }
    }

    /** Deletes a file or folder; false when it was gone already. */
    boolean delete(String path) throws IOException {
        try {
            driver.delete(path);
            return true;
        } catch (StorageDriverException.PathNotFound e) {
            return false;
        }
    }

    private static IOException rethrown(Throwable failure) {
        return switch (failure) {
            case IOException io -> io;
            case UncheckedIOException io -> io.getCause();
            case RuntimeException runtime -> throw runtime;
            case Error error -> throw error;
            default -> new IOException(failure);
        };
    }
}
