package io.berth.proxy;

import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One blob on its way from the upstream: its bytes go into storage through an upload, which hashes
 * them and commits only a whole blob of the right digest, and into a spool file that every client
 * asking for the blob meanwhile reads as it grows. So one upstream download serves them all, at the
 * upstream's pace, with no more memory than a buffer each. The last byte is held back from readers
 * until the bytes hash to the digest: a client never receives a whole blob that is wrong. That hash
 * is the fetch's own, so readers need not wait for the storage to make the blob durable.
 */
final class BlobFetch {

    private static final int BUFFER = 64 * 1024;

    private final Descriptor descriptor;
    private final Path spool;
    private final FileChannel spoolWriter;
    /** How long a reader waits for the next bytes before giving up; the upstream's read timeout ends a stalled fetch sooner. */
    private final Duration patience;
    private final MessageDigest hasher;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private long written;
    private boolean verified;
    private RuntimeException failure;
    /** The fetch itself and every open reader; the spool goes when the last lets go. */
    private int holders = 1;

    BlobFetch(Descriptor descriptor, Path spoolDirectory, Duration patience) throws IOException {
        this.descriptor = descriptor;
        this.patience = patience;
        this.spool = Files.createTempFile(spoolDirectory, "berth-proxy-", ".blob");
        this.spoolWriter = FileChannel.open(spool, StandardOpenOption.WRITE);
        this.hasher = descriptor.digest().algorithm().newHasher();
        if (descriptor.size() == 0) {
            hashed(); // nothing to wait for
        }
    }

    /** Called with the lock held, or before anyone can read: all bytes are in; they may be read if they hash right. */
    private void hashed() {
        Digest actual = Digest.of(descriptor.digest().algorithm(), hasher);
        verified = actual.equals(descriptor.digest());
        if (!verified) {
            failure = new RegistryException(new RegistryError.UpstreamUnavailable(
                    "the upstream sent a blob that hashes to " + actual + ", not " + descriptor.digest()));
        }
    }

    Descriptor descriptor() {
        return descriptor;
    }

    /** Copies the upstream's body into the upload and the spool; returns normally once the blob is stored. */
    void copy(InputStream upstream, Upload upload) throws IOException {
        try (spoolWriter) {
            upload.commit(new Tee(upstream), 0, descriptor.digest());
        }
    }

    /** Ends the fetch in failure unless its bytes were already verified: readers get a 502 when their response has not started, else a cut. */
    void fail(String message) {
        lock.lock();
        try {
            if (!verified) {
                failure = new RegistryException(new RegistryError.UpstreamUnavailable(message));
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Lets go of the fetch's own hold on the spool, once it has ended. */
    void finish() {
        release();
    }

    /** A reader of the blob from {@code offset}; null when the fetch ended (then the blob is in storage, or not at all). */
    ReadableByteChannel reader(long offset) throws IOException {
        lock.lock();
        try {
            if (holders == 0 || failure != null) {
                return null;
            }
            holders++;
        } finally {
            lock.unlock();
        }
        try {
            FileChannel file = FileChannel.open(spool, StandardOpenOption.READ);
            return new Reader(file, offset);
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }

    private void release() {
        lock.lock();
        try {
            if (--holders > 0) {
                return;
            }
        } finally {
            lock.unlock();
        }
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            // a temporary file; the system's temporary folder is cleaned eventually
        }
    }

    /** How far a reader may go: everything written once verified, all but the last byte before. */
    private long readable(long position) throws IOException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + patience.toNanos();
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                long limit = verified ? written : Math.min(written, descriptor.size() - 1);
                if (limit > position || verified) {
                    return limit;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RegistryException(new RegistryError.UpstreamUnavailable("the upstream sent nothing for " + patience));
                }
                progress.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the upstream");
        } finally {
            lock.unlock();
        }
    }

    /** Reads the spool as it grows. */
    private final class Reader implements ReadableByteChannel {
        private final FileChannel file;
        private long position;
        private boolean open = true;

        Reader(FileChannel file, long position) {
            this.file = file;
            this.position = position;
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            long limit = readable(position);
            if (position >= limit) {
                return -1;
            }
            int room = (int) Math.min(target.remaining(), limit - position);
            ByteBuffer window = target.slice().limit(room);
            int read = file.read(window, position);
            if (read > 0) {
                target.position(target.position() + read);
                position += read;
            }
            return read;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            if (open) {
                open = false;
                file.close();
                release();
            }
        }
    }

    /** The upstream's body as the upload reads it, copied into the spool on the way. */
    private final class Tee extends InputStream {
        private final InputStream upstream;

        Tee(InputStream upstream) {
            this.upstream = upstream;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (written >= descriptor.size()) {
                return upstream.read(buffer, offset, length) < 0 ? -1 : tooLong();
            }
            int read = upstream.read(buffer, offset, (int) Math.min(Math.min(length, BUFFER), descriptor.size() - written));
            if (read <= 0) {
                return read;
            }
            ByteBuffer chunk = ByteBuffer.wrap(buffer, offset, read);
            while (chunk.hasRemaining()) {
                spoolWriter.write(chunk);
            }
            hasher.update(buffer, offset, read);
            lock.lock();
            try {
                written += read;
                if (written == descriptor.size()) {
                    hashed();
                }
                progress.signalAll();
            } finally {
                lock.unlock();
            }
            return read;
        }

        private int tooLong() throws IOException {
            throw new IOException("the upstream sent more than the " + descriptor.size() + " bytes it announced");
        }
    }
}
