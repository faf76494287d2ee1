package io.berth.notify;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's events in storage, shared by its endpoints. Every event gets the next ordinal; events
 * are stored in segments ({@link SegmentFiles}). One writer thread gathers what arrived while it
 * wrote last into one write (group commit): concurrent pushes share a flush. Each endpoint reads from
 * its own {@link Cursor}; a segment is deleted once every cursor has passed it. A cursor more than
 * {@code maxEvents} behind the end skips the oldest (counted as dropped).
 */
final class Outbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** Events written together at most. */
    private static final int MAX_BATCH = 500;
    /** Pull events waiting for the writer at most; beyond, a pull's event is dropped rather than held in memory. */
    private static final int MAX_QUEUED_PULLS = 10_000;
    /** Cursors are saved at most this often while events flow (a crash redelivers at most that much), and when idle. */
    private static final long CURSOR_SAVE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes of recent segments kept in memory, so that deliveries need not read back what was just written. */
    private static final long RECENT_BYTES = 4L * 1024 * 1024;
    /** A full outbox is warned about at most this often per endpoint. */
    private static final long WARN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final StorageDriver driver;
    private final String folder;
    private final long maxEvents;
    private final SegmentFiles files;
    private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedPulls = new AtomicLong();
    private final AtomicLong lostPulls = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    /** First ordinal of each segment in storage, and its count; guarded by {@link #lock}. */
    private final TreeMap<Long, Integer> segments = new TreeMap<>();
    /** The lines of the segments this process wrote last, up to {@link #RECENT_BYTES}; guarded by {@link #lock}. */
    private final TreeMap<Long, List<byte[]>> recent = new TreeMap<>();
    private long recentBytes;
    private final Map<String, Cursor> cursors = new TreeMap<>();
    /** The ordinal the next event gets; guarded by {@link #lock}. */
    private long next;
    private final Thread writer;
    private volatile boolean closing;

    private record Queued(byte[] line, CompletableFuture<Void> written) {}

    /** Lines from a cursor on, each with its ordinal ({@code ordinals}); {@code end} is the ordinal after the last. */
    record Batch(long start, long end, List<byte[]> lines, List<Long> ordinals) {

        /** The lines from ordinal {@code from} on. */
        List<byte[]> from(long from) {
            int first = 0;
            while (first < ordinals.size() && ordinals.get(first) < from) {
                first++;
            }
            return lines.subList(first, lines.size());
        }
    }

    private Outbox(StorageDriver driver, String folder, long maxEvents) {
        this.driver = driver;
        this.folder = folder;
        this.maxEvents = maxEvents;
        this.files = new SegmentFiles(driver, folder);
        this.writer = Thread.ofPlatform().daemon().name("berth-notify-outbox").unstarted(this::write);
    }

    /** Opens the outbox in {@code folder}, with a cursor for each endpoint key; a new endpoint starts at the end. */
    static Outbox open(StorageDriver driver, String folder, long maxEvents, List<String> endpoints) throws IOException {
        Outbox outbox = new Outbox(driver, folder, maxEvents);
        outbox.load(endpoints);
        outbox.writer.start();
        return outbox;
    }

    private void load(List<String> endpoints) throws IOException {
        segments.putAll(files.load());
        for (Map.Entry<Long, Integer> segment : segments.entrySet()) {
            next = Math.max(next, segment.getKey() + segment.getValue());
        }
        Map<String, Long> saved = new TreeMap<>();
        for (String key : endpoints) {
            Long position = readCursor(key);
            saved.put(key, position);
            if (position != null) {
                next = Math.max(next, position);
            }
        }
        for (String key : endpoints) {
            Long position = saved.get(key);
            Cursor cursor = new Cursor(key, position == null ? next : position);
            cursors.put(key, cursor);
            if (position == null) {
                cursor.save(); // so that events recorded from now on are this endpoint's after a crash too
            }
        }
        release();
    }

    private Long readCursor(String key) throws IOException {
        try {
            return Long.parseLong(new String(driver.getContent(cursorPath(key)), StandardCharsets.US_ASCII).trim());
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        } catch (NumberFormatException e) {
            log.warn("the notification cursor of {} is damaged: delivering its outbox from the start", key);
            return 0L;
        }
    }

    private String cursorPath(String key) {
        return folder + "/cursors/" + key;
    }

    Cursor cursor(String key) {
        return cursors.get(key);
    }

    /**
     * Records an event: with {@code durable}, returns once it is in storage as durably as content is
     * (an exception means it is not); otherwise at once, the event following within moments.
     */
    void append(byte[] line, boolean durable) throws IOException {
        if (!durable) {
            if (queuedPulls.incrementAndGet() > MAX_QUEUED_PULLS) {
                queuedPulls.decrementAndGet();
                lostPulls.incrementAndGet();
                return;
            }
            queue.add(new Queued(line, null));
            return;
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        queue.add(new Queued(line, written));
        try {
            written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while recording an event");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("the event could not be recorded", e.getCause());
        }
    }

    /** Pull events dropped because the writer could not keep up. */
    long lostPulls() {
        return lostPulls.get();
    }

    private void write() {
        List<Queued> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                writeSegment(batch);
            } catch (InterruptedException e) {
                closing = true;
            } finally {
                batch.clear();
            }
        }
    }

    private void writeSegment(List<Queued> batch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(batch.size() * 800);
        int pulls = 0;
        for (Queued queued : batch) {
            bytes.writeBytes(queued.line());
            bytes.write('\n');
            pulls += queued.written() == null ? 1 : 0;
        }
        queuedPulls.addAndGet(-pulls);
        long first;
        boolean dropped = false;
        lock.lock();
        try {
            first = next; // only this thread moves next
        } finally {
            lock.unlock();
        }
        long segment;
        try {
            segment = files.store(first, batch.size(), bytes.toByteArray());
        } catch (IOException | RuntimeException e) {
            log.warn("could not record {} event(s) in the notification outbox: {}", batch.size(), e.toString());
            lostPulls.addAndGet(pulls);
            batch.forEach(q -> {
                if (q.written() != null) {
                    q.written().completeExceptionally(e);
                }
            });
            return;
        }
        lock.lock();
        try {
            segments.merge(segment, batch.size(), Integer::sum);
            recent.computeIfAbsent(segment, k -> new ArrayList<>()).addAll(batch.stream().map(Queued::line).toList());
            recentBytes += bytes.size();
            while (recentBytes > RECENT_BYTES && !recent.isEmpty()) {
                recentBytes -= recent.pollFirstEntry().getValue().stream().mapToLong(l -> l.length + 1).sum();
            }
            next = first + batch.size();
            for (Cursor cursor : cursors.values()) {
                dropped |= cursor.bound();
            }
            appended.signalAll();
        } finally {
            lock.unlock();
        }
        batch.forEach(q -> {
            if (q.written() != null) {
                q.written().complete(null);
            }
        });
        if (dropped) {
            release();
        }
    }

    /** Deletes every segment all cursors have passed. */
    private void release() {
        List<Map.Entry<Long, Integer>> passed = new ArrayList<>();
        lock.lock();
        try {
            long lowest = cursors.values().stream().mapToLong(c -> c.position).min().orElse(next);
            while (!segments.isEmpty()) {
                Map.Entry<Long, Integer> oldest = segments.firstEntry();
                if (oldest.getKey() + oldest.getValue() > lowest || !files.sealed(oldest.getKey())) {
                    break;
                }
                segments.pollFirstEntry();
                List<byte[]> cached = recent.remove(oldest.getKey());
                if (cached != null) {
                    recentBytes -= cached.stream().mapToLong(l -> l.length + 1).sum();
                }
                passed.add(oldest);
            }
        } finally {
            lock.unlock();
        }
        for (Map.Entry<Long, Integer> segment : passed) {
            files.delete(segment.getKey(), segment.getValue());
        }
    }

    /** Stops the writer once what is queued is written, and saves every cursor. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        writer.join();
        for (Cursor cursor : cursors.values()) {
            try {
                cursor.checkpoint();
            } catch (IOException e) {
                log.warn("could not save the notification cursor of {}: {}", cursor.key, e.toString());
            }
        }
    }

    /** Where one endpoint is in the outbox: the ordinal of its next event to deliver. */
    final class Cursor {
        private final String key;
        /** Guarded by {@link #lock}. */
        private long position;
        private long saved = -1;
        private long savedAt;
        private long dropped;
        private long warnedAt;

        private Cursor(String key, long position) {
            this.key = key;
            this.position = position;
        }

        /** Skips the oldest events past the bound; under {@link #lock}. True when it did. */
        private boolean bound() {
            long behind = next - position;
            if (behind > maxEvents) {
                long skipped = behind - maxEvents;
                position += skipped;
                dropped += skipped;
                long now = System.nanoTime();
                if (warnedAt == 0 || now - warnedAt > WARN_NANOS) {
                    warnedAt = now;
                    log.warn("notification endpoint {}: its outbox is full ({} events waiting); the oldest are dropped, {} so far",
                            key, maxEvents, dropped);
                }
                return true;
            }
            return false;
        }

        /**
         * The next events from this cursor on, at most {@code max}, from as many segments as that takes,
         * waiting up to {@code wait} nanoseconds for one; null when none came.
         */
        Batch await(int max, long wait) throws IOException, InterruptedException {
            long start;
            List<Map.Entry<Long, Integer>> from = new ArrayList<>();
            lock.lock();
            try {
                while (position >= next) {
                    if (wait <= 0) {
                        return null;
                    }
                    wait = appended.awaitNanos(wait);
                }
                start = position;
                Map.Entry<Long, Integer> segment = segments.floorEntry(start);
                if (segment == null || segment.getKey() + segment.getValue() <= start) {
                    segment = segments.higherEntry(start); // a segment lost to a failed write, or deleted by a drop
                }
                long covered = 0;
                while (segment != null && covered < max) {
                    from.add(segment);
                    covered += segment.getKey() + segment.getValue() - Math.max(start, segment.getKey());
                    segment = segments.higherEntry(segment.getKey());
                }
                if (from.isEmpty()) {
                    return new Batch(start, next, List.of(), List.of());
                }
            } finally {
                lock.unlock();
            }
            return read(start, from, max);
        }

        /** The lines of {@code segments} from ordinal {@code start} on, at most {@code max}; a segment deleted meanwhile is skipped. */
        private Batch read(long start, List<Map.Entry<Long, Integer>> segments, int max) throws IOException {
            List<byte[]> lines = new ArrayList<>();
            List<Long> ordinals = new ArrayList<>();
            long end = start;
            for (Map.Entry<Long, Integer> segment : segments) {
                long first = segment.getKey();
                int count = segment.getValue();
                List<byte[]> content = cached(first, count);
                try {
                    if (content == null) {
                        content = files.read(first, count);
                    }
                } catch (StorageDriverException.PathNotFound e) {
                    end = first + count; // dropped and deleted meanwhile
                    continue;
                }
                int available = Math.min(count, content.size()); // fewer than counted: a damaged segment, passed over
                int skip = (int) Math.max(0, start - first);
                int take = Math.max(0, Math.min(available - skip, max - lines.size()));
                for (int i = skip; i < skip + take; i++) {
                    lines.add(content.get(i));
                    ordinals.add(first + i);
                }
                end = skip + take >= available ? first + count : first + skip + take;
                if (lines.size() == max) {
                    break;
                }
            }
            return new Batch(start, end, lines, ordinals);
        }

        /** The first {@code count} lines of a segment, when they are in memory. */
        private List<byte[]> cached(long first, int count) {
            lock.lock();
            try {
                List<byte[]> lines = recent.get(first);
                return lines == null || lines.size() < count ? null : List.copyOf(lines.subList(0, count));
            } finally {
                lock.unlock();
            }
        }

        /** Moves past {@code end} after its events were delivered (or skipped); saves the position now and then. */
        void acknowledge(long end) throws IOException {
            lock.lock();
            try {
                position = Math.max(position, end);
            } finally {
                lock.unlock();
            }
            if (System.nanoTime() - savedAt > CURSOR_SAVE_NANOS) {
                checkpoint();
            }
        }

        /**
         * Saves the position when it moved, and deletes the segments every cursor has passed: at most
         * once a second while events flow, and when the endpoint is idle, so that neither costs a write per event.
         */
        void checkpoint() throws IOException {
            save();
            release();
        }

        private void save() throws IOException {
            long at;
            lock.lock();
            try {
                at = position;
            } finally {
                lock.unlock();
            }
            if (at != saved) {
                driver.putContent(cursorPath(key), Long.toString(at).getBytes(StandardCharsets.US_ASCII));
                saved = at;
            }
            savedAt = System.nanoTime();
        }

        long position() {
            lock.lock();
            try {
                return position;
            } finally {
                lock.unlock();
            }
        }

        long pending() {
            lock.lock();
            try {
                return next - position;
            } finally {
                lock.unlock();
            }
        }

        long dropped() {
            lock.lock();
            try {
                return dropped;
            } finally {
                lock.unlock();
            }
        }
    }
}
