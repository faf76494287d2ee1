package io.berth.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes log lines from a thread of its own, so that a request that logs only puts an event in a
 * bounded queue and never waits for a disk or a pipe. Logback's own AsyncAppender either blocks
 * when its queue is full or drops silently (and sheds info lines early by default); this one never
 * blocks and never drops without saying so: when the queue is full the line is counted, and the
 * writer reports the count in a line of its own as soon as it catches up (the count is also a
 * metric). Each batch is written at once, so lines appear within milliseconds yet cost few
 * system calls under load.
 */
final class AsyncLineAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    /** Lines the writer may fall behind by: about 3 MiB of access lines, a fraction of a second at full load. */
    static final int CAPACITY = 8192;

    private static final int BATCH = 512;

    /**
     * How long lines may wait while they keep coming. Each wake-up and write call costs far more
     * than a line (measured: 2 ms pauses cost the writer 2.8 µs a line at 8,600 lines/s, 10 ms
     * pauses 2 µs); a full batch skips the pause, so the writer keeps up at any rate Berth serves.
     */
    private static final long PAUSE_MILLIS = 10;

    private final Encoder<ILoggingEvent> encoder;
    private final OutputStream out;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final Object writing = new Object();
    /** Dropped lines already reported; touched only while holding {@link #writing}. */
    private long reported;
    private boolean writeFailed;
    /** Set at shutdown: from then on each line is written by the thread that logs it. */
    private volatile boolean synchronous;
    private Thread writer;

    AsyncLineAppender(Encoder<ILoggingEvent> encoder, OutputStream out) {
        this.encoder = encoder;
        this.out = new BufferedOutputStream(out, 64 * 1024);
    }

    /** Lines dropped so far because the writer could not keep up. */
    long dropped() {
        return dropped.sum();
    }

    @Override
    public void start() {
        writer = Thread.ofPlatform().daemon().name("berth-log-writer").start(this::run);
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // Encoded here, while the event's fields are still in this core's cache: under a microsecond
        // (measured), about a third of what the writer thread spent on it. It is CPU, not I/O.
        byte[] line = encode(event);
        if (line == null) {
            return;
        }
        if (synchronous) {
            synchronized (writing) {
                write(line);
                flush();
            }
        } else if (!queue.offer(line)) {
            dropped.increment();
        }
    }

    /**
     * Blocks on the queue only when it has run dry; while lines keep coming it pauses briefly between
     * batches instead, so that a logging request finds nobody waiting on the queue and wakes no
     * thread: the writer costs one wake-up and one write call per batch, not per line.
     */
    private void run() {
        List<byte[]> batch = new ArrayList<>(BATCH);
        try {
            while (true) {
                byte[] first = queue.poll();
                batch.add(first == null ? queue.take() : first);
                queue.drainTo(batch, BATCH - 1);
                synchronized (writing) {
                    for (byte[] line : batch) {
                        write(line);
                    }
                    reportDropped();
                    flush();
                }
                if (batch.size() < BATCH) {
                    Thread.sleep(PAUSE_MILLIS);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes out whatever is queued and switches to writing each line on the caller's thread: run
     * at shutdown, so that the last lines (and those logged while stopping) are not lost.
     */
    void drain() {
        synchronous = true;
        // The writer may hold a batch it has taken but not written yet: let it finish and stop.
        if (writer != null && writer != Thread.currentThread()) {
            writer.interrupt();
            try {
                writer.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (writing) {
            for (byte[] line; (line = queue.poll()) != null; ) {
                write(line);
            }
            reportDropped();
            flush();
        }
    }

    @Override
    public void stop() {
        drain();
        super.stop();
    }

    private byte[] encode(ILoggingEvent event) {
        try {
            return encoder.encode(event);
        } catch (RuntimeException e) {
            failed(e);
            return null;
        }
    }

    private void write(byte[] line) {
        try {
            out.write(line);
        } catch (IOException e) {
            failed(e);
        }
    }

    private void reportDropped() {
        long now = dropped.sum();
        if (now > reported) {
            String message = (now - reported) + " log lines dropped: the log output could not keep up";
            reported = now;
            Logger logger = ((LoggerContext) getContext()).getLogger(AsyncLineAppender.class);
            byte[] line = encode(new LoggingEvent(AsyncLineAppender.class.getName(), logger, Level.WARN, message, null, null));
            if (line != null) {
                write(line);
            }
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            failed(e);
        }
    }

    /** Reported once to logback's status: a broken output must not become a storm of errors. */
    private void failed(Exception e) {
        if (!writeFailed) {
            writeFailed = true;
            addError("cannot write log lines", e);
        }
    }
}
