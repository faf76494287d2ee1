package io.berth.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One satisfiable byte range of a blob, from a {@code Range: bytes=...} header. */
record ByteRange(long first, long last) {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");

    long length() {
        return last - first + 1;
    }

    /** Outcome of reading a Range header against a blob's size. */
    sealed interface Request {}

    /** No usable Range header (absent, malformed or multi-range): serve the whole blob. */
    record Whole() implements Request {}

    /** Serve this part with 206. */
    record Partial(ByteRange range) implements Request {}

    /** The range lies outside the blob: 416. */
    record Unsatisfiable() implements Request {}

    static Request parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            // RFC 9110 lets a server ignore a Range it does not understand.
            return new Whole();
        }
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            if (suffix == 0) {
                return new Unsatisfiable();
            }
            // RFC 9110: a non-zero suffix of an empty blob is satisfiable, yet names no byte: serve it whole.
            return size == 0 ? new Whole() : new Partial(new ByteRange(Math.max(0, size - suffix), size - 1));
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
        if (last < first) {
            return new Whole(); // not a valid range at all, so ignored
        }
        if (first >= size) {
            return new Unsatisfiable();
        }
        return new Partial(new ByteRange(first, Math.min(last, size - 1)));
    }
}
