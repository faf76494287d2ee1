package io.berth.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.event.KeyValuePair;

/**
 * Berth's two log line formats, chosen by {@code log.formatter}: {@code text} (a timestamp, the
 * level, the logger's short name, the message, then {@code key=value} pairs) and {@code json}
 * (one object per line: time, level, logger, msg, then every pair as a top-level key). The pairs
 * are the event's own, then the logging context's (SLF4J's MDC, e.g. the {@code request_id} and
 * {@code route} of the request being handled) unless the event has a pair of that name; the
 * configured {@code log.fields} end every line. Encoders are used by many threads at once.
 */
abstract sealed class LineFormat extends EncoderBase<ILoggingEvent> {

    /** {@code log.fields}, written on every line. */
    final Map<String, String> fields;

    LineFormat(Map<String, String> fields) {
        this.fields = Map.copyOf(fields);
    }

    /** The encoder for a {@code log.formatter} value; Distribution's {@code logstash} is JSON. */
    static LineFormat of(String formatter, Map<String, String> fields) {
        return formatter.equals("text") ? new Text(fields) : new Json(fields);
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(256);
        write(event, line);
        return line.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    abstract void write(ILoggingEvent event, StringBuilder line);

    /** The event's key-value pairs, then the entries of its logging context (MDC) that no pair of the event names. */
    static void pairs(ILoggingEvent event, BiConsumer<String, Object> out) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                out.accept(pair.key, pair.value);
            }
        }
        Map<String, String> context = event.getMDCPropertyMap();
        if (context == null || context.isEmpty()) {
            return;
        }
        for (Map.Entry<String, String> entry : context.entrySet()) {
            if (!named(pairs, entry.getKey())) {
                out.accept(entry.getKey(), entry.getValue());
            }
        }
    }

    /** Whether a pair of the list has this key; a line has a dozen pairs at most, so a scan is cheapest. */
    private static boolean named(List<KeyValuePair> pairs, String key) {
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.key.equals(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Appends an event's time as {@code 2026-01-02T03:04:05.678} and the zone suffix. The part up to
     * the second is formatted once a second and shared: a formatter call per line costs more than
     * the rest of the line. Safe for concurrent use: the cache is one immutable value.
     */
    static final class TimeStamps {
        private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
        private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("XXX");

        /** The formatted second: {@code prefix} up to the seconds, {@code suffix} the zone. */
        private record Second(long epochSecond, String prefix, String suffix) {}

        private final ZoneId zone;
        private final boolean zulu;
        private volatile Second cached = new Second(Long.MIN_VALUE, "", "");

        /** {@code zulu}: a UTC time ending in {@code Z}; else the zone's offset, such as {@code +02:00}. */
        TimeStamps(ZoneId zone, boolean zulu) {
            this.zone = zone;
            this.zulu = zulu;
        }

        void append(long epochMillis, StringBuilder line) {
            long epochSecond = Math.floorDiv(epochMillis, 1000);
            Second second = cached;
            if (second.epochSecond != epochSecond) {
                ZonedDateTime time = Instant.ofEpochSecond(epochSecond).atZone(zone);
                second = new Second(epochSecond, SECONDS.format(time), zulu ? "Z" : OFFSET.format(time));
                cached = second;
            }
            int millis = (int) Math.floorMod(epochMillis, 1000);
            line.append(second.prefix).append('.')
                    .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10))
                    .append(second.suffix);
        }
    }

    /** Numbers stay numbers in JSON and unquoted in text. */
    static boolean isNumber(Object value) {
        if (value instanceof Double d) {
            return Double.isFinite(d);
        }
        if (value instanceof Float f) {
            return Float.isFinite(f);
        }
        return value instanceof Number || value instanceof AccessLog.Millis;
    }

    /** {@code 2026-01-02T03:04:05.678+00:00 INFO  Berth - message key=value ...} */
    static final class Text extends LineFormat {

        private final TimeStamps time = new TimeStamps(ZoneId.systemDefault(), false);

        Text(Map<String, String> fields) {
            super(fields);
        }

        @Override
        void write(ILoggingEvent event, StringBuilder line) {
            time.append(event.getTimeStamp(), line);
            String level = event.getLevel().toString();
            line.append(' ').append(level).repeat(' ', Math.max(1, 6 - level.length()));
            String logger = event.getLoggerName();
            line.append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(" - ").append(event.getFormattedMessage());
            pairs(event, (key, value) -> pair(line, key, value));
            fields.forEach((key, value) -> pair(line, key, value));
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                line.append('\n').append(ThrowableProxyUtil.asString(thrown).stripTrailing());
            }
        }

        private static void pair(StringBuilder line, String key, Object value) {
            line.append(' ').append(key).append('=');
            String text = String.valueOf(value);
            if (isNumber(value) || isBare(text)) {
                line.append(text);
                return;
            }
            // Quoted as JSON quotes strings, so one escaping serves both formats.
            Json.string(line, text);
        }

        /** A value that needs no quotes: not empty, no space, quote, backslash, equals sign or control character. */
        private static boolean isBare(String text) {
            if (text.isEmpty()) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c == 0x7f) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@code {"time":"...","level":"info","logger":"io.berth.Berth","msg":"...",...}} */
    static final class Json extends LineFormat {

        private final TimeStamps time = new TimeStamps(ZoneOffset.UTC, true);

        Json(Map<String, String> fields) {
            super(fields);
        }

        @Override
        void write(ILoggingEvent event, StringBuilder line) {
            line.append("{\"time\":\"");
            time.append(event.getTimeStamp(), line);
            // Lower case, as Distribution's logger writes levels.
            line.append("\",\"level\":\"").append(switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> "error";
                case Level.WARN_INT -> "warn";
                case Level.INFO_INT -> "info";
                case Level.DEBUG_INT -> "debug";
                default -> "trace";
            });
            line.append("\",\"logger\":");
            string(line, event.getLoggerName());
            line.append(",\"msg\":");
            string(line, event.getFormattedMessage());
            pairs(event, (key, value) -> pair(line, key, value));
            fields.forEach((key, value) -> pair(line, key, value));
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                pair(line, "error", thrown.getClassName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()));
                pair(line, "stack", ThrowableProxyUtil.asString(thrown));
            }
            line.append('}');
        }

        private static void pair(StringBuilder line, String key, Object value) {
            line.append(',');
            string(line, key);
            line.append(':');
            if (isNumber(value)) {
                line.append(value);
            } else if (value instanceof Boolean) {
                line.append(value);
            } else {
                string(line, String.valueOf(value));
            }
        }

        /** A JSON string: quotes, backslashes and control characters escaped, runs of other characters copied whole. */
        static void string(StringBuilder line, String text) {
            line.append('"');
            int run = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < ' ' || c == '"' || c == '\\') {
                    line.append(text, run, i);
                    switch (c) {
                        case '"' -> line.append("\\\"");
                        case '\\' -> line.append("\\\\");
                        case '\n' -> line.append("\\n");
                        case '\r' -> line.append("\\r");
                        case '\t' -> line.append("\\t");
                        default -> line.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    }
                    run = i + 1;
                }
            }
            line.append(text, run, text.length()).append('"');
        }
    }
}
