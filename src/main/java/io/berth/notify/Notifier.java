package io.berth.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.observe.RequestRecord;
import io.berth.registry.Namespace;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distribution's notifications, delivered from an outbox in storage: {@link #wrap} gives each
 * request a registry that records its events, and a thread per endpoint sends them on, in order,
 * at least once, however long the endpoint is down, up to the outbox's bound.
 */
public final class Notifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An endpoint name that can be a storage path segment as it is. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    /**
     * Whether manifest events list references; the endpoints; events each may have waiting at most;
     * this replica's name (a taken name gets a suffix); its host (for {@code source.addr} and the lease);
     * and the folder in storage that holds every replica's outbox.
     */
    public record Settings(boolean includeReferences, List<EndpointSettings> endpoints, long maxEvents, String instance,
            String host, String folder) {}

    /** One endpoint's state, for metrics and {@code /debug/notifications}; times in epoch milliseconds (0: never). */
    public record EndpointStatus(String name, String url, long pending, long delivered, long failures, long dropped,
            long lastSuccessMillis, long posts, double postSeconds, double lastLatencySeconds, String lastError) {}

    private final Settings settings;
    private final InstanceLease lease;
    private final Outbox outbox;
    private final Map<String, Delivery> deliveries;
    private final ScheduledExecutorService heartbeat;
    private final Adoptions adoptions;
    private volatile Event.Source source;

    private Notifier(StorageDriver driver, Settings settings, InstanceLease lease, Outbox outbox, Map<String, Delivery> deliveries) {
        this.settings = settings;
        this.adoptions = new Adoptions(driver, settings, lease.instance());
        this.lease = lease;
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.source = new Event.Source(settings.host(), lease.instance());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("berth-notify-lease").factory());
    }

    /** Takes this replica's outbox, resuming what it holds, and starts a delivery per endpoint. */
    public static Notifier start(StorageDriver driver, Settings settings) throws IOException {
        InstanceLease lease = InstanceLease.take(driver, settings.folder(), pathSegment(settings.instance()), settings.host());
        List<String> keys = settings.endpoints().stream().map(e -> pathSegment(e.name())).toList();
        Outbox outbox = Outbox.open(driver, lease.folder(), settings.maxEvents(), keys);
        Map<String, Delivery> deliveries = new LinkedHashMap<>();
        for (EndpointSettings endpoint : settings.endpoints()) {
            deliveries.put(endpoint.name(), new Delivery(endpoint, outbox.cursor(pathSegment(endpoint.name()))).start());
        }
        Notifier notifier = new Notifier(driver, settings, lease, outbox, deliveries);
        long renew = InstanceLease.RENEW.toMillis();
        // The first beat at once: an outbox a gone replica left is adopted as this one starts.
        notifier.heartbeat.scheduleWithFixedDelay(notifier::beat, 0, renew, TimeUnit.MILLISECONDS);
        log.info("notifications to {} endpoint(s) from outbox {}, at most {} events waiting per endpoint",
                deliveries.size(), lease.instance(), settings.maxEvents());
        return notifier;
    }

    /** A name as a storage path segment: itself when plain, else a hex spelling of it. */
    static String pathSegment(String name) {
        return PLAIN_NAME.matcher(name).matches() ? name : "x-" + HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8));
    }

    /** Renews this replica's lease, and adopts the outboxes of replicas that are gone. */
    private void beat() {
        try {
            lease.renew();
            adoptions.tick();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            log.warn("notification outbox {}: heartbeat failed: {}", lease.instance(), e.toString());
        }
    }

    /** The address the registry listens on, for {@code source.addr}: {@code host:port}. */
    public void listening(int port) {
        source = new Event.Source(settings.host() + ":" + port, lease.instance());
    }

    /** The name this replica's outbox goes by, {@code source.instanceID} of its events. */
    public String instance() {
        return lease.instance();
    }

    /** The registry as one request uses it, recording its events. */
    public Namespace wrap(Namespace registry, RequestRecord request) {
        return new NotifyingNamespace(registry, this, new Events(request, source, settings.includeReferences()));
    }

    /** Stores an event (see {@link Outbox#append}). */
    void record(Event event, boolean durable) throws IOException {
        byte[] line;
        try {
            line = JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event could not be written as JSON", e);
        }
        outbox.append(line, durable);
    }

    /** Every endpoint's state. */
    public List<EndpointStatus> status() {
        List<EndpointStatus> status = new ArrayList<>();
        deliveries.values().forEach(d -> status.add(d.stats()));
        return status;
    }

    /** Pull events not recorded because storage could not keep up with them. */
    public long lostPulls() {
        return outbox.lostPulls();
    }

    /** Stops delivering, writes what is queued, saves the cursors and gives the outbox's name up. */
    @Override
    public void close() throws InterruptedException {
        heartbeat.shutdownNow();
        heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        adoptions.close();
        for (Delivery delivery : deliveries.values()) {
            delivery.close();
        }
        outbox.close();
        lease.release();
    }
}
