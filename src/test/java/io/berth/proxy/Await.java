package io.berth.proxy;

import java.io.IOException;
import java.time.Instant;

/** Polls a condition on storage for up to 20 s: the cache stores blobs and sweeps expiry on threads of its own. */
final class Await {

    private Await() {}

    /** What is polled. */
    interface Condition {
        boolean holds() throws IOException;
    }

    /** Returns once the condition holds, or after 20 s; the caller asserts what it needs afterwards. */
    static void until(Condition condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.holds() && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
    }
}
