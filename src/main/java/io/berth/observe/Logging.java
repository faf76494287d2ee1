package io.berth.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Sets up Logback from the {@code log} section when {@code berth serve} starts: level, text or
 * JSON lines with {@code log.fields} on each, written to standard error through
 * {@link AsyncLineAppender}. An operator who names a Logback file with
 * {@code -Dlogback.configurationFile} keeps it: that file then decides everything.
 */
public final class Logging {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(Logging.class);

    private static volatile AsyncLineAppender installed;

    private Logging() {}

    /** What logging needs from the {@code log} section: the level, {@code text} or {@code json}, fields added to every line. */
    public record Settings(String level, String formatter, Map<String, String> fields) {}

    /** Applies the configuration to the process's logging; false when a Logback file given on the command line rules instead. */
    public static synchronized boolean configure(Settings settings) {
        String file = System.getProperty("logback.configurationFile");
        if (file != null) {
            log.info("logging as configured by {}; the log section's level and formatter are not applied", file);
            return false;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        context.reset();
        LineFormat format = LineFormat.of(settings.formatter(), settings.fields());
        format.setContext(context);
        format.start();
        AsyncLineAppender appender = new AsyncLineAppender(format, new FileOutputStream(FileDescriptor.err));
        appender.setContext(context);
        appender.setName("berth");
        appender.start();

        Level level = Level.toLevel(settings.level(), Level.INFO);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        // log.level is Berth's own verbosity, as it is Distribution's. The libraries' (Jetty, Lettuce,
        // Netty, ...) info and debug output is for their developers: only their warnings and errors show.
        root.setLevel(level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN);
        root.addAppender(appender);
        context.getLogger("io.berth").setLevel(level);
        quietReconnects(context);
        // Access lines are written whatever the level, as Distribution writes its access log;
        // log.accesslog.disabled is what turns them off.
        context.getLogger(AccessLog.LOGGER).setLevel(Level.INFO);

        AsyncLineAppender previous = installed;
        installed = appender;
        if (previous == null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                AsyncLineAppender current = installed;
                if (current != null) {
                    current.drain();
                }
            }, "berth-log-drain"));
        }
        return true;
    }

    /** A Redis outage is reported by the descriptor cache, once per 30 s; not by every reconnect attempt. */
    static void quietReconnects(LoggerContext context) {
        context.getLogger("io.lettuce.core.protocol.ConnectionWatchdog").setLevel(Level.ERROR);
    }

    /** Lines dropped because the log output could not keep up; 0 when Berth did not set up logging. */
    public static long droppedLines() {
        AsyncLineAppender appender = installed;
        return appender == null ? 0 : appender.dropped();
    }
}
