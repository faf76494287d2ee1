package io.berth.storage.driver.inmemory;

import io.berth.storage.driver.FileWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/** Collects bytes and publishes the whole file on close or commit, so readers see before or after, never between. */
final class InMemoryWriter extends FileWriter {

    private final InMemoryDriver driver;
    private final String path;
    private byte[] published;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean closed;
    private boolean committed;

    InMemoryWriter(InMemoryDriver driver, String path, byte[] published) {
        this.driver = driver;
        this.path = path;
        this.published = published;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (closed) {
            throw new IOException("writer is closed: " + path);
        }
        if (committed) {
            throw new IOException("writer is committed: " + path);
        }
        pending.write(bytes, offset, length);
    }

    @Override
    public long size() {
        return (long) published.length + pending.size();
    }

    @Override
    public void commit() throws IOException {
        if (closed || committed) {
            throw new IOException("writer is " + (closed ? "closed: " : "committed: ") + path);
        }
        publish();
        committed = true;
    }

    @Override
    public void cancel() throws IOException {
        closed = true;
        driver.discard(path);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            publish();
        }
    }

    private void publish() throws IOException {
        byte[] tail = pending.toByteArray();
        byte[] content = Arrays.copyOf(published, Math.addExact(published.length, tail.length));
        System.arraycopy(tail, 0, content, published.length, tail.length);
        driver.publish(path, content);
        published = content;
        pending.reset();
    }
}
