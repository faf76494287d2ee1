package io.berth.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Runs an operation from several workers, each on its own connection, for a count or a duration. */
final class Runner {

    /** One unit of load; returns the payload bytes it moved, throws when the answer is wrong. */
    @FunctionalInterface
    interface Operation {
        long run(HttpConnection connection, long index) throws Exception;
    }

    private Runner() {}

    /**
     * Runs {@code count} operations (no limit when 0), stopping early when a {@code duration} runs
     * out; what the workers push is recorded in {@code pushed}.
     */
    static Result run(String scenario, String target, URI base, Pushed pushed, int concurrency, long count, Duration duration,
            Operation operation) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[][] latencies = new long[concurrency][];
        long start = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().name("bench-" + w).start(() -> {
                LongList mine = new LongList();
                try (HttpConnection connection = new HttpConnection(base, pushed)) {
                    while (System.nanoTime() < deadline) {
                        long index = next.getAndIncrement();
                        if (count > 0 && index >= count) {
                            break;
                        }
                        long began = System.nanoTime();
                        try {
                            bytes.addAndGet(operation.run(connection, index));
                            mine.add(System.nanoTime() - began);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.getMessage() == null ? e.toString() : e.getMessage());
                            connection.close();
                        }
                    }
                }
                latencies[worker] = mine.toArray();
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = 0;
        for (long[] l : latencies) {
            total += l.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] l : latencies) {
            System.arraycopy(l, 0, all, at, l.length);
            at += l.length;
        }
        return Result.of(scenario, target, concurrency, all, errors.get(), seconds, bytes.get(), firstError.get());
    }

    /** A growable array of longs, so recording a latency allocates nothing. */
    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
