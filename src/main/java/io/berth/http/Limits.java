package io.berth.http;

import java.time.Duration;

/**
 * Bounds on what clients can make the server hold: open connections; how long a request line and
 * headers may take; the slowest request body accepted (bytes per second, 0 for none); how long a
 * connection may stay silent; upload sessions open at once, overall and per repository; the slowest
 * a client may take a response (bytes per second, 0 for none).
 */
public record Limits(int connections, Duration headerTimeout, long minBodyRate, Duration idleTimeout,
        int uploads, int uploadsPerRepository, long minResponseRate) {}
