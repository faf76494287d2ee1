package io.berth.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one endpoint its events from the outbox, in order, on a thread of its own: a batch leaves
 * the outbox only once the endpoint answered 2xx. After {@code threshold} failures in a row (an
 * error status, a refused connection, no answer within {@code timeout}) it waits {@code backoff},
 * doubling with each further failure up to {@link #MAX_BACKOFF} (or {@code backoff} if longer).
 */
final class Delivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    /** Distribution's media type for an envelope of events. */
    static final String ENVELOPE_TYPE = "application/vnd.docker.distribution.events.v1+json";
    /** Events per POST at most. */
    private static final int MAX_BATCH = 100;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final long IDLE_WAIT = TimeUnit.SECONDS.toNanos(1);
    /**
     * POSTs to one endpoint start at least this far apart, unless the last one was full: a lone event
     * goes at once, while under a stream of pushes the events of this interval share one POST instead
     * of one each, and a backlog goes as fast as the endpoint takes it.
     */
    private static final long POST_INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EndpointSettings endpoint;
    private final Outbox.Cursor cursor;
    private final HttpClient client;
    private final Thread thread;
    private volatile boolean stopped;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong posts = new AtomicLong();
    private final AtomicLong postNanos = new AtomicLong();
    private volatile long lastSuccessMillis;
    private volatile long lastLatencyNanos;
    private long lastPostStart = System.nanoTime() - POST_INTERVAL;
    private boolean lastFull;
    private volatile String lastError = "";

    Delivery(EndpointSettings endpoint, Outbox.Cursor cursor) {
        this.endpoint = endpoint;
        this.cursor = cursor;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(endpoint.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.thread = Thread.ofVirtual().name("berth-notify-" + endpoint.name()).unstarted(this::run);
    }

    Delivery start() {
        thread.start();
        return this;
    }

    Notifier.EndpointStatus stats() {
        return new Notifier.EndpointStatus(endpoint.name(), endpoint.url().toString(), cursor.pending(), delivered.get(), failures.get(),
                cursor.dropped(), lastSuccessMillis, posts.get(), postNanos.get() / 1e9, lastLatencyNanos / 1e9, lastError);
    }

    private void run() {
        while (!stopped) {
            try {
                long since = System.nanoTime() - lastPostStart;
                if (since < POST_INTERVAL && !lastFull) {
                    TimeUnit.NANOSECONDS.sleep(POST_INTERVAL - since);
                }
                Outbox.Batch batch = cursor.await(MAX_BATCH, IDLE_WAIT);
                if (batch == null) {
                    cursor.checkpoint();
                } else {
                    lastFull = batch.lines().size() == MAX_BATCH;
                    deliver(batch);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    return; // close() interrupted a read
                }
                // Storage failed to give the batch: try again after a pause rather than spin.
                log.warn("notification endpoint {}: could not read the outbox: {}", endpoint.name(), e.toString());
                if (!pause(endpoint.backoff())) {
                    return;
                }
            }
        }
    }

    /** The events of the batch the endpoint's ignore lists let through. */
    private List<byte[]> wanted(List<byte[]> lines) throws IOException {
        if (endpoint.ignoredActions().isEmpty() && endpoint.ignoredMediaTypes().isEmpty()) {
            return lines;
        }
        List<byte[]> wanted = new ArrayList<>(lines.size());
        for (byte[] line : lines) {
            JsonNode event = JSON.readTree(line);
            JsonNode mediaType = event.path("target").path("mediaType");
            if (endpoint.wants(event.path("action").asText(), mediaType.isTextual() ? mediaType.asText() : null)) {
                wanted.add(line);
            }
        }
        return wanted;
    }

    /**
     * Posts the batch's wanted events until the endpoint takes them, then moves the cursor past them.
     * Before each try, the events a drop passed meanwhile (the outbox filled up while the endpoint
     * failed) are left out: they are counted as dropped, not sent late.
     */
    private void deliver(Outbox.Batch batch) throws IOException, InterruptedException {
        int failed = 0;
        while (!stopped) {
            List<byte[]> events = wanted(batch.from(cursor.position()));
            if (events.isEmpty()) {
                break;
            }
            long start = System.nanoTime();
            lastPostStart = start;
            if (post(events)) {
                long nanos = System.nanoTime() - start;
                lastLatencyNanos = nanos;
                postNanos.addAndGet(nanos);
                posts.incrementAndGet();
                delivered.addAndGet(events.size());
                lastSuccessMillis = System.currentTimeMillis();
                break;
            }
            failures.incrementAndGet();
            failed++;
            if (failed >= endpoint.threshold() && !pause(backoff(failed - endpoint.threshold()))) {
                return;
            }
        }
        if (!stopped) {
            cursor.acknowledge(batch.end());
        }
    }

    private Duration backoff(int beyondThreshold) {
        Duration cap = endpoint.backoff().compareTo(MAX_BACKOFF) > 0 ? endpoint.backoff() : MAX_BACKOFF;
        Duration delay = endpoint.backoff().multipliedBy(1L << Math.min(beyondThreshold, 20));
        return delay.compareTo(cap) > 0 ? cap : delay;
    }

    private boolean post(List<byte[]> events) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url()).timeout(endpoint.timeout())
                .header("Content-Type", ENVELOPE_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(envelope(events)));
        endpoint.headers().forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return true;
            }
            lastError = "status " + response.statusCode();
        } catch (IOException e) {
            lastError = e.toString();
        }
        log.debug("notification endpoint {}: delivery failed: {}", endpoint.name(), lastError);
        return false;
    }

    /** {@code {"events":[...]}} around the events' JSON as stored. */
    static byte[] envelope(List<byte[]> events) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(events.size() * 800 + 16);
        body.writeBytes("{\"events\":[".getBytes());
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(events.get(i));
        }
        body.writeBytes("]}".getBytes());
        return body.toByteArray();
    }

    /** Waits, or returns false when stopped meanwhile. */
    private boolean pause(Duration delay) {
        try {
            Thread.sleep(delay);
            return !stopped;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops after the POST in flight, if any (bounded by {@code timeout}). */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(endpoint.timeout().plusSeconds(1).toMillis());
        client.close();
    }
}
