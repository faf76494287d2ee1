package io.berth.notify;

import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * are stored in segments, one event of JSON a line, named by the ordinal of their first. One writer
 * thread gathers what arrived while it wrote last into one write (group commit): concurrent pushes
 * share a flush. On the filesystem a batch is appended to the open segment and flushed (one
 * fdatasync, no new name to make durable), and a new segment, made by {@code putContent}, starts
 * every {@link #SEGMENT_EVENTS} events and after a restart; a crash can leave only an unflushed tail,
 * of events nobody was told of, which loading ignores. On other drivers, where an append rewrites
 * the object, each batch is a segment of its own, {@code <first>-<count>}, whole or absent. Each
 * endpoint reads from its own {@link Cursor}; a segment is deleted once every cursor has passed it. A
 * cursor more than {@code maxEvents} behind the end skips the oldest (counted as dropped).
 */
final class Outbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** Events written together at most. */
    private static final int MAX_BATCH = 500;
    /** Events in an appended segment before the next one starts. */
    private static final int SEGMENT_EVENTS = 1000;
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
    /** Whether batches are appended to the open segment (the filesystem), or each is a segment of its own. */
    private final boolean appending;
    /** The segment batches are appended to, or -1 when the next batch starts one; writer thread only. */
    private volatile long open = -1;
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

    /** The lines of one segment from a cursor on; {@code end} is the ordinal after the last. */
    record Batch(long start, long end, List<byte[]> lines) {}

    private Outbox(StorageDriver driver, String folder, long maxEvents) {
        this.driver = driver;
        this.folder = folder;
        this.maxEvents = maxEvents;
        this.appending = driver.name().equals("filesystem");
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
        for (String path : listOrEmpty(folder + "/events")) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            int dash = name.indexOf('-');
            try {
                long first = Long.parseLong(dash < 0 ? name : name.substring(0, dash));
                // An appended segment is counted by reading it; at most up to the next one, which a crash's tail cannot overlap.
                segments.put(first, dash < 0 ? lines(driver.getContent(path)).size() : Integer.parseInt(name.substring(dash + 1)));
            } catch (NumberFormatException e) {
                log.warn("ignoring a stray file in the notification outbox: {}", path);
            }
        }
        for (Map.Entry<Long, Integer> segment : segments.entrySet()) {
            Long following = segments.higherKey(segment.getKey());
            if (following != null && segment.getKey() + segment.getValue() > following) {
                segment.setValue((int) (following - segment.getKey()));
            }
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

    private List<String> listOrEmpty(String path) throws IOException {
        try {
            return driver.list(path);
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
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
            segment = store(first, batch.size(), bytes.toByteArray());
        } catch (IOException | RuntimeException e) {
            open = -1; // a failed append may have left a tail: the next batch starts a segment of its own
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

    /** Writes a batch whose first event is {@code first}, durably; returns the segment it went to. */
    private long store(long first, int count, byte[] bytes) throws IOException {
        if (appending && open >= 0 && first - open + count <= SEGMENT_EVENTS) {
            try (FileWriter append = driver.writer(segmentPath(open, 0), true)) {
                append.write(ByteBuffer.wrap(bytes));
                append.commit();
            }
            return open;
        }
        driver.putContent(segmentPath(first, count), bytes);
        open = appending ? first : -1;
        return first;
    }

    private String segmentPath(long first, int count) {
        return folder + "/events/" + (appending ? String.format("%019d", first) : String.format("%019d-%d", first, count));
    }

    /** Deletes every segment all cursors have passed. */
    private void release() {
        List<String> passed = new ArrayList<>();
        lock.lock();
        try {
            long lowest = cursors.values().stream().mapToLong(c -> c.position).min().orElse(next);
            while (!segments.isEmpty()) {
                Map.Entry<Long, Integer> oldest = segments.firstEntry();
                // The open segment stays: the writer appends to it (open is read racily; at worst a segment waits one more round).
                if (oldest.getKey() + oldest.getValue() > lowest || oldest.getKey() == open) {
                    break;
                }
                segments.pollFirstEntry();
                List<byte[]> cached = recent.remove(oldest.getKey());
                if (cached != null) {
                    recentBytes -= cached.stream().mapToLong(l -> l.length + 1).sum();
                }
                passed.add(segmentPath(oldest.getKey(), oldest.getValue()));
            }
        } finally {
            lock.unlock();
        }
        for (String path : passed) {
            try {
                driver.delete(path);
            } catch (StorageDriverException.PathNotFound e) {
                // gone already
            } catch (IOException e) {
                log.warn("could not delete a delivered notification segment {}: {}", path, e.toString());
            }
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
                    return new Batch(start, next, List.of());
                }
            } finally {
                lock.unlock();
            }
            return read(start, from, max);
        }

        /** The lines of {@code segments} from ordinal {@code start} on, at most {@code max}; a segment deleted meanwhile is skipped. */
        private Batch read(long start, List<Map.Entry<Long, Integer>> segments, int max) throws IOException {
            List<byte[]> lines = new ArrayList<>();
            long end = start;
            for (Map.Entry<Long, Integer> segment : segments) {
                long first = segment.getKey();
                int count = segment.getValue();
                List<byte[]> content = cached(first, count);
                try {
                    if (content == null) {
                        content = lines(driver.getContent(segmentPath(first, count)));
                        content = content.subList(0, Math.min(count, content.size())); // an appended segment may have grown since
                    }
                } catch (StorageDriverException.PathNotFound e) {
                    end = first + count; // dropped and deleted meanwhile
                    continue;
                }
                int available = Math.min(count, content.size()); // fewer than counted: a damaged segment, passed over
                int skip = (int) Math.max(0, start - first);
                int take = Math.max(0, Math.min(available - skip, max - lines.size()));
                if (take > 0) {
                    lines.addAll(content.subList(skip, skip + take));
                }
                end = skip + take >= available ? first + count : first + skip + take;
                if (lines.size() == max) {
                    break;
                }
            }
            return new Batch(start, end, lines);
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

    /**
     * The events of a segment: its complete lines. What a crash left of an unflushed append (a line
     * cut short, or zeros where the file grew) is no event: every event is one JSON object on a line.
     */
    private static List<byte[]> lines(byte[] content) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                if (i > start && content[start] == '{' && content[i - 1] == '}' && !hasZero(content, start, i)) {
                    lines.add(Arrays.copyOfRange(content, start, i));
                }
                start = i + 1;
            }
        }
        return lines;
    }

    private static boolean hasZero(byte[] content, int from, int to) {
        for (int i = from; i < to; i++) {
            if (content[i] == 0) {
                return true;
            }
        }
        return false;
    }
}
