package io.berth.http;

import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.util.component.Graceful;

/**
 * The requests being handled, so that a graceful stop can wait for them ({@link #shutdown} completes
 * when none is left) and turn away those that arrive after it began. Costs a counter step each way
 * per request.
 */
final class InFlight extends Graceful.Shutdown {

    private final LongAdder count = new LongAdder();

    InFlight() {
        super("requests in flight");
    }

    /** Counts a request in; false once a stop has begun, when the caller refuses it (and still calls {@link #leave}). */
    boolean enter() {
        count.increment();
        return !isShutdown();
    }

    void leave() {
        count.decrement();
        if (isShutdown()) {
            check();
        }
    }

    @Override
    public boolean isShutdownDone() {
        return count.sum() == 0;
    }
}
