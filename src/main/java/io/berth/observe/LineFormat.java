package io.berth.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * Berth's two log line formats, chosen by {@code log.formatter}: {@code text} (a timestamp, the
 * level, the logger's short name, the message, then {@code key=value} pairs) and {@code json}
 * (one object per line: time, level, logger, msg, then every pair as a top-level key). The
 * configured {@code log.fields} end every line. Encoding runs on the log writer's thread.
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

        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.systemDefault());

        Text(Map<String, String> fields) {
            super(fields);
        }

        @Override
        void write(ILoggingEvent event, StringBuilder line) {
            TIME.formatTo(event.getInstant(), line);
            String level = event.getLevel().toString();
            line.append(' ').append(level).repeat(' ', Math.max(1, 6 - level.length()));
            String logger = event.getLoggerName();
            line.append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(" - ").append(event.getFormattedMessage());
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    pair(line, pair.key, pair.value);
                }
            }
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
            line.append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"' -> line.append("\\\"");
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    default -> line.append(c < ' ' ? '?' : c);
                }
            }
            line.append('"');
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

        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

        Json(Map<String, String> fields) {
            super(fields);
        }

        @Override
        void write(ILoggingEvent event, StringBuilder line) {
            line.append("{\"time\":\"");
            TIME.formatTo(event.getInstant(), line);
            // Lower case, as Distribution's logger writes levels.
            line.append("\",\"level\":\"").append(event.getLevel().toString().toLowerCase(java.util.Locale.ROOT));
            line.append("\",\"logger\":");
            string(line, event.getLoggerName());
            line.append(",\"msg\":");
            string(line, event.getFormattedMessage());
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    pair(line, pair.key, pair.value);
                }
            }
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

        /** A JSON string: quotes, backslashes and control characters escaped, the rest as is. */
        static void string(StringBuilder line, String text) {
            line.append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"' -> line.append("\\\"");
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    default -> {
                        if (c < ' ') {
                            line.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                        } else {
                            line.append(c);
                        }
                    }
                }
            }
            line.append('"');
        }
    }
}
