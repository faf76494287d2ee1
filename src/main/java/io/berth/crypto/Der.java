package io.berth.crypto;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Just enough DER to move keys between their PEM forms: a reader that walks the fields of a
 * SEQUENCE, and writers of one element. A malformed input is an {@link IllegalArgumentException}.
 */
final class Der {

    private final byte[] bytes;
    private int position;
    private final int end;

    Der(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private Der(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.position = start;
        this.end = end;
    }

    boolean hasMore() {
        return position < end;
    }

    int peekTag() {
        require(1);
        return bytes[position] & 0xff;
    }

    /** The contents of the next element, which must have the given tag, to read its fields. */
    Der enter(int tag) {
        if (peekTag() != tag) {
            throw new IllegalArgumentException("expected DER tag " + tag + ", found " + peekTag());
        }
        int[] span = header();
        position = span[1];
        return new Der(bytes, span[0], span[1]);
    }

    /** Everything not read yet. */
    byte[] rest() {
        byte[] value = Arrays.copyOfRange(bytes, position, end);
        position = end;
        return value;
    }

    /** The next element's contents, without its tag and length. */
    byte[] next() {
        int[] span = header();
        position = span[1];
        return Arrays.copyOfRange(bytes, span[0], span[1]);
    }

    /** The next element whole: tag, length and contents. */
    byte[] nextElement() {
        int start = position;
        position = header()[1];
        return Arrays.copyOfRange(bytes, start, position);
    }

    /** Start and end of the contents of the element at the current position. */
    private int[] header() {
        int at = position + 1;
        require(2);
        int first = bytes[at++] & 0xff;
        long length = first;
        if (first >= 0x80) {
            int count = first & 0x7f;
            if (count == 0 || count > 4 || at + count > end) {
                throw new IllegalArgumentException("bad DER length");
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | (bytes[at++] & 0xff);
            }
        }
        if (at + length > end) {
            throw new IllegalArgumentException("DER element longer than its container");
        }
        return new int[] {at, (int) (at + length)};
    }

    private void require(int count) {
        if (position + count > end) {
            throw new IllegalArgumentException("DER data ends early");
        }
    }

    /** A DER SEQUENCE of already-encoded elements. */
    static byte[] sequence(byte[]... elements) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] element : elements) {
            content.writeBytes(element);
        }
        return tlv(0x30, content.toByteArray());
    }

    /** One element: tag, length, contents. */
    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
