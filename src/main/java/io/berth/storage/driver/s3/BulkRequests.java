package io.berth.storage.driver.s3;

import io.berth.storage.driver.s3.Bucket.Part;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** Requests on many objects or parts at once: copies of large objects in parts, deletes of whole directories. */
final class BulkRequests {

    /** Deletes of one directory sent at once. */
    private static final int DELETE_CONCURRENCY = 16;

    private final Bucket bucket;
    private final S3Settings settings;

    BulkRequests(Bucket bucket, S3Settings settings) {
        this.bucket = bucket;
        this.settings = settings;
    }

    /**
     * Deletes objects one request each, several at once: multi-object delete needs checksum headers
     * that S3-compatible servers handle unevenly (some lack it), and S3 does not charge for deletes.
     */
    void deleteAll(List<String> keys) throws IOException {
        if (keys.size() == 1) {
            bucket.delete(keys.getFirst());
            return;
        }
        Semaphore permits = new Semaphore(DELETE_CONCURRENCY);
        List<Callable<Void>> deletes = new ArrayList<>();
        for (String key : keys) {
            deletes.add(() -> {
                permits.acquire();
                try {
                    bucket.delete(key);
                    return null;
                } finally {
                    permits.release();
                }
            });
        }
        all(deletes);
    }

    /** Copies an object: in one request up to the threshold, else in parts copied side by side. */
    void copy(String from, long size, String to) throws IOException {
        if (size <= Math.min(settings.multipartCopyThresholdSize(), S3Settings.MAX_CHUNK_SIZE)) {
            bucket.copy(from, to);
            return;
        }
        String uploadId = bucket.createUpload(to);
        try {
            bucket.complete(to, uploadId, copyParts(from, size, to, uploadId, 1));
        } catch (IOException | RuntimeException e) {
            abortQuietly(to, uploadId, e);
            throw e;
        }
    }

    /**
     * Copies an object into parts of an upload, {@code multipartCopyChunkSize} each; a remainder below
     * the minimum part size joins the part before it, so every part but the last stays valid.
     */
    List<Part> copyParts(String from, long size, String to, String uploadId, int firstNumber) throws IOException {
        long chunk = settings.multipartCopyChunkSize();
        List<long[]> ranges = new ArrayList<>();
        long start = 0;
        while (start < size) {
            long end = Math.min(size, start + chunk);
            if (size - end < S3Settings.MIN_CHUNK_SIZE && size - start <= S3Settings.MAX_CHUNK_SIZE) {
                end = size;
            }
            ranges.add(new long[] {start, end});
            start = end;
        }
        Semaphore permits = new Semaphore(settings.multipartCopyMaxConcurrency());
        List<Callable<Part>> tasks = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            int number = firstNumber + i;
            long[] range = ranges.get(i);
            tasks.add(() -> {
                permits.acquire();
                try {
                    return bucket.copyPart(from, range[0], range[1], to, uploadId, number);
                } finally {
                    permits.release();
                }
            });
        }
        return all(tasks);
    }

    void abortQuietly(String key, String uploadId, Exception cause) {
        try {
            bucket.abort(key, uploadId);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** Runs independent requests side by side; the first failure is thrown. */
    static <T> List<T> all(List<Callable<T>> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return List.of();
        }
        if (tasks.size() == 1) {
            try {
                return List.of(tasks.getFirst().call());
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = tasks.stream().map(executor::submit).toList();
            List<T> results = new ArrayList<>(futures.size());
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for S3");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                default -> throw new IOException(e.getCause());
            }
        }
    }
}
