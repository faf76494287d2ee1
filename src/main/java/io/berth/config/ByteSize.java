package io.berth.config;

import java.util.Locale;

/** Sizes written as a byte count ({@code 10485760}) or with a unit ({@code 10MiB}, {@code 10MB}, {@code 512k}). */
final class ByteSize {

    private ByteSize() {}

    /** The number of bytes, or -1 when the text is not a size. */
    static long parse(String text) {
        if (text == null) {
            return -1;
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 18) {
            return -1;
        }
        long number = Long.parseLong(s.substring(0, end));
        long unit = switch (s.substring(end).strip()) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            default -> -1;
        };
        return unit < 0 || number > Long.MAX_VALUE / unit ? -1 : number * unit;
    }
}
