package io.berth.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request, on the {@value #LOGGER} logger at info, with the request's fields as
 * key-value pairs: the JSON format makes each a top-level key, the text format writes
 * {@code key=value}. Lines go through the asynchronous appender, so a slow disk never holds a
 * request back.
 */
public final class AccessLog {

    /** The logger access lines go to; {@link Logging} keeps it at info whatever {@code log.level} says. */
    public static final String LOGGER = "io.berth.access";

    /** The names of a request's id and route, in its access line and in the logging context (MDC) of its other lines. */
    public static final String REQUEST_ID = "request_id";
    public static final String ROUTE = "route";
    /** Who made the request: the signed-in user, or {@code anonymous}. */
    public static final String ACTOR = "actor";

    private final Logger log = LoggerFactory.getLogger(LOGGER);

    /** Whether a line would be written: false under a logging configuration that silences access lines. */
    public boolean enabled() {
        return log.isInfoEnabled();
    }

    /** Writes the line of one finished request; {@code path} is the raw path with its query. */
    public void record(String method, String path, int status, long bytesIn, long bytesOut, long nanos,
            String remoteAddress, String userAgent, String requestId, Endpoint route, String actor) {
        log.atInfo()
                .setMessage("request")
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("bytes_in", bytesIn)
                .addKeyValue("bytes_out", bytesOut)
                .addKeyValue("duration_ms", new Millis(nanos / 1000))
                .addKeyValue("remote_addr", remoteAddress)
                .addKeyValue("user_agent", userAgent == null ? "" : userAgent)
                .addKeyValue(REQUEST_ID, requestId)
                .addKeyValue(ROUTE, route.label())
                .addKeyValue(ACTOR, actor)
                .log();
    }

    /** A duration printed as milliseconds with three decimals, formatted by the log writer, off the request's thread. */
    record Millis(long micros) {
        @Override
        public String toString() {
            long fraction = micros % 1000;
            return micros / 1000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
        }
    }
}
