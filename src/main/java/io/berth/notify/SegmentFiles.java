package io.berth.notify;

import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outbox's segments as files, {@code events/<first ordinal>}, one event of JSON a line. On the
 * filesystem a batch is appended to the open segment and flushed (one fdatasync, no new name to make
 * durable), and a new segment, made by {@code putContent}, starts every {@link #SEGMENT_EVENTS}
 * events and after a restart; a crash can leave only an unflushed tail, of events nobody was told of,
 * which reading ignores. On other drivers, where an append rewrites the object, each batch is a
 * segment of its own, {@code <first>-<count>}, whole or absent. Used by the outbox's writer thread,
 * except for reads and deletes.
 */
final class SegmentFiles {

    private static final Logger log = LoggerFactory.getLogger(SegmentFiles.class);

    /** Events in an appended segment before the next one starts. */
    private static final int SEGMENT_EVENTS = 1000;

    private final StorageDriver driver;
    private final String folder;
    /** Whether batches are appended to the open segment (the filesystem), or each is a segment of its own. */
    private final boolean appending;
    /** The segment batches are appended to, or -1 when the next batch starts one; written by the writer thread only. */
    private volatile long open = -1;

    SegmentFiles(StorageDriver driver, String folder) {
        this.driver = driver;
        this.folder = folder + "/events";
        this.appending = driver.name().equals("filesystem");
    }

    /** Every segment stored, by first ordinal, with its count; a crash's tail never overlaps the next segment. */
    TreeMap<Long, Integer> load() throws IOException {
        TreeMap<Long, Integer> segments = new TreeMap<>();
        List<String> paths;
        try {
            paths = driver.list(folder);
        } catch (StorageDriverException.PathNotFound e) {
            return segments;
        }
        for (String path : paths) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            int dash = name.indexOf('-');
            try {
                long first = Long.parseLong(dash < 0 ? name : name.substring(0, dash));
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
        }
        return segments;
    }

    /** Writes a batch of {@code count} events whose first is {@code first}, durably; returns the segment it went to. */
    long store(long first, int count, byte[] bytes) throws IOException {
        try {
            if (appending && open >= 0 && first - open + count <= SEGMENT_EVENTS) {
                try (FileWriter append = driver.writer(path(open, 0), true)) {
                    append.write(ByteBuffer.wrap(bytes));
                    append.commit();
                }
                return open;
            }
            driver.putContent(path(first, count), bytes);
            open = appending ? first : -1;
            return first;
        } catch (IOException | RuntimeException e) {
            open = -1; // a failed append may have left a tail: the next batch starts a segment of its own
            throw e;
        }
    }

    /** Whether a segment may be deleted once delivered: not while batches are appended to it. */
    boolean sealed(long first) {
        return first != open;
    }

    /** The first {@code count} events of a segment; PathNotFound when it was deleted. */
    List<byte[]> read(long first, int count) throws IOException {
        List<byte[]> lines = lines(driver.getContent(path(first, count)));
        return lines.subList(0, Math.min(count, lines.size())); // an appended segment may have grown since
    }

    void delete(long first, int count) {
        try {
            driver.delete(path(first, count));
        } catch (StorageDriverException.PathNotFound e) {
            // gone already
        } catch (IOException e) {
            log.warn("could not delete a delivered notification segment {}: {}", path(first, count), e.toString());
        }
    }

    private String path(long first, int count) {
        return folder + "/" + (appending ? String.format("%019d", first) : String.format("%019d-%d", first, count));
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
