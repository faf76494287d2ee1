package io.berth.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Blob content made on the fly: one random megabyte repeated, with a per-blob seed woven into
 * every block so that each blob is distinct (no registry can skip it as a duplicate) yet costs
 * the load generator nothing to make. The digest is computed once, before timing starts.
 */
sealed class Payload permits Payload.Literal {

    private static final int PIECE = 64 * 1024;
    private static final byte[] BLOCK = new byte[1 << 20];

    static {
        new Random(20261127).nextBytes(BLOCK);
    }

    private final long seed;
    private final long length;
    private final long offset;
    private String digest;

    private Payload(long seed, long length, long offset) {
        this.seed = seed;
        this.length = length;
        this.offset = offset;
    }

    /** The whole blob number {@code seed}, {@code length} bytes long. */
    static Payload of(long seed, long length) {
        return new Payload(seed, length, 0);
    }

    /** Bytes {@code [from, from + count)} of this blob, for chunked uploads. */
    Payload slice(long from, long count) {
        return new Payload(seed, count, offset + from);
    }

    /** Literal bytes, for manifests and small documents. */
    static Payload ofBytes(byte[] bytes) {
        return new Literal(bytes);
    }

    long length() {
        return length;
    }

    /** {@code sha256:<hex>} of the whole blob. */
    String digest() {
        if (digest == null) {
            MessageDigest sha = sha256();
            forEachPiece((piece, n) -> sha.update(piece, 0, n));
            digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
        }
        return digest;
    }

    void writeTo(OutputStream out) throws IOException {
        try {
            forEachPiece((piece, n) -> {
                try {
                    out.write(piece, 0, n);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The blob's bytes in pieces that never cross a 64 KiB boundary of the whole blob. */
    private void forEachPiece(PieceConsumer consumer) {
        byte[] piece = new byte[PIECE];
        long position = offset;
        long end = offset + length;
        while (position < end) {
            int within = (int) (position % PIECE);
            int n = (int) Math.min(PIECE - within, end - position);
            System.arraycopy(BLOCK, (int) (position % BLOCK.length), piece, 0, n);
            // The seed and the piece number mark the first bytes of every 64 KiB, so blobs differ everywhere
            // and a slice holds exactly the bytes of the whole blob at its place.
            long mark = seed * 0x9E3779B97F4A7C15L + position / PIECE;
            for (int i = within; i < 8 && i - within < n; i++) {
                piece[i - within] ^= (byte) (mark >>> (8 * i));
            }
            consumer.accept(piece, n);
            position += n;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface PieceConsumer {
        void accept(byte[] piece, int n);
    }

    /** A payload of fixed bytes. */
    private static final class Literal extends Payload {
        private final byte[] bytes;

        Literal(byte[] bytes) {
            super(0, bytes.length, 0);
            this.bytes = bytes;
        }

        @Override
        void writeTo(OutputStream out) throws IOException {
            out.write(bytes);
        }

        @Override
        String digest() {
            return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
        }
    }
}
