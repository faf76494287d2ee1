package io.berth;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT ask {@code berth serve} to stop gracefully instead of starting the JVM's own
 * exit, which would end with status 143 or 130 whatever the shutdown hooks did: the server drains,
 * the registry closes, and the process exits 0, as Distribution does. The JDK offers no supported
 * API for this; {@code sun.misc.Signal} (module jdk.unsupported) is the one in use.
 *
 * <p>A signal the parent set to be ignored stays ignored. A shell running a script starts its
 * background jobs ({@code ./berth serve &}) with SIGINT and SIGQUIT ignored, so that a Ctrl-C meant
 * for the script does not reach them; {@code nohup} does the same with SIGHUP. The JVM keeps that
 * choice (it does not install its handler for an ignored SIGINT, SIGTERM or SIGHUP, and reports
 * {@link SignalHandler#SIG_IGN} as the previous handler), and so does Berth: it only says so at
 * start, naming the signal that still stops it.
 */
final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private static final List<String> STOPPING = List.of("TERM", "INT");

    private StopSignals() {}

    /** Runs {@code stop} on the first SIGTERM or SIGINT; later ones are only logged, the stop being under way. */
    static void install(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : STOPPING) {
            try {
                SignalHandler previous = Signal.handle(new Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        log.info("SIG{}: stopping; requests in flight may finish first", signal.getName());
                        stop.run();
                    } else {
                        log.info("SIG{}: already stopping", signal.getName());
                    }
                });
                if (previous == SignalHandler.SIG_IGN) {
                    warnIgnored(name);
                }
            } catch (IllegalArgumentException e) {
                // e.g. under -Xrs: the JVM's default, an exit without draining, stays.
                log.warn("cannot handle SIG{} ({}): it will stop Berth without draining", name, e.getMessage());
            }
        }
    }

    private static void warnIgnored(String name) {
        if (name.equals("INT")) {
            log.warn("SIGINT is ignored by the parent process (started in the background by a script?): stop Berth with SIGTERM");
        } else {
            log.warn("SIG{} is ignored by the parent process: stop Berth with SIGINT", name);
        }
    }
}
