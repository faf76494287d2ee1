package io.berth;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT ask {@code berth serve} to stop gracefully instead of starting the JVM's own
 * exit, which would end with status 143 or 130 whatever the shutdown hooks did: the server drains,
 * the registry closes, and the process exits 0, as Distribution does. The JDK offers no supported
 * API for this; {@code sun.misc.Signal} (module jdk.unsupported) is the one in use.
 */
final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {}

    /** Runs {@code stop} on the first SIGTERM or SIGINT; later ones are only logged, the stop being under way. */
    static void install(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        log.info("SIG{}: stopping; requests in flight may finish first", signal.getName());
                        stop.run();
                    } else {
                        log.info("SIG{}: already stopping", signal.getName());
                    }
                });
            } catch (IllegalArgumentException e) {
                // e.g. under -Xrs: the JVM's default, an exit without draining, stays.
                log.warn("cannot handle SIG{} ({}): it will stop Berth without draining", name, e.getMessage());
            }
        }
    }
}
