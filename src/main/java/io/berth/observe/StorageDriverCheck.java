package io.berth.observe;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code health.storagedriver}: runs a probe of the storage driver every {@code interval} (the
 * composition root lists the driver's root, which every driver must answer); {@code threshold}
 * failures in a row make it unhealthy, and one success makes it healthy again. A probe that has not
 * answered within the interval counts as a failure, so a hung mount or object store shows.
 */
public final class StorageDriverCheck implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StorageDriverCheck.class);

    /** One call to storage that fails by throwing. */
    @FunctionalInterface
    public interface Probe {
        void run() throws Exception;
    }

    private final String name;
    private final Probe probe;
    private final Duration interval;
    private final int threshold;
    private final ScheduledExecutorService scheduler;
    /** Consecutive failures; written only by the probing thread. */
    private int failures;
    private volatile String status;
    private CompletableFuture<Void> running;

    /** A check named {@code storagedriver_<driver>}, as Distribution names it, e.g. {@code storagedriver_filesystem}. */
    public StorageDriverCheck(String driverName, Probe probe, Duration interval, int threshold) {
        this.name = "storagedriver_" + driverName;
        this.probe = probe;
        this.interval = interval;
        this.threshold = threshold;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("health-storagedriver").factory());
    }

    /** The name Distribution gives this check, e.g. {@code storagedriver_filesystem}. */
    public String name() {
        return name;
    }

    /** Null while healthy, else why not. */
    public String status() {
        return status;
    }

    /** Probes now, then every interval. */
    public StorageDriverCheck start() {
        scheduler.scheduleWithFixedDelay(this::probe, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return this;
    }

    private void probe() {
        String failure = null;
        // A probe still stuck from last time is not started again: it is simply still failing.
        if (running == null || running.isDone()) {
            running = CompletableFuture.runAsync(() -> {
                try {
                    probe.run();
                } catch (Exception e) {
                    throw new ProbeFailure(e);
                }
            }, Thread::startVirtualThread);
        }
        try {
            running.get(interval.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            failure = "no answer from the storage driver within " + interval.toMillis() + " ms";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof ProbeFailure p ? p.getCause() : e.getCause();
            failure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (failure == null) {
            if (status != null) {
                log.info("{} is healthy again", name());
            }
            failures = 0;
            status = null;
        } else if (++failures >= threshold) {
            if (status == null) {
                log.warn("{} is unhealthy after {} failed probes: {}", name(), failures, failure);
            }
            status = failure;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private static final class ProbeFailure extends RuntimeException {
        ProbeFailure(Exception cause) {
            super(cause);
        }
    }
}
