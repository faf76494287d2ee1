package io.berth.notify;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outboxes of replicas that are gone, delivered by this one: at each heartbeat, an outbox with
 * events whose owner is gone (see {@link InstanceLease#adopt}) is opened and delivered to this
 * replica's endpoints until it is empty, then given up. Two replicas adopting the same outbox at once
 * deliver its events twice, which at-least-once allows; a replica that comes back under that name
 * meanwhile finds it owned and takes another. Segments are deleted as they are delivered; the
 * folder stays, with its cursors, for its replica to come back to.
 */
final class Adoptions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Adoptions.class);

    private final StorageDriver driver;
    private final Notifier.Settings settings;
    private final String own;
    private final Map<String, Adopted> adopted = new HashMap<>();

    private record Adopted(InstanceLease lease, Outbox outbox, List<Delivery> deliveries) {
        long pending() {
            return deliveries.stream().mapToLong(d -> d.stats().pending()).sum();
        }
    }

    Adoptions(StorageDriver driver, Notifier.Settings settings, String own) {
        this.driver = driver;
        this.settings = settings;
        this.own = own;
    }

    /** Gives up the outboxes delivered, renews the others' leases, and adopts any new orphan. On the heartbeat thread. */
    void tick() throws IOException, InterruptedException {
        for (var it = adopted.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Adopted> entry = it.next();
            if (entry.getValue().pending() == 0) {
                close(entry.getValue());
                it.remove();
                log.info("delivered every event of notification outbox {}, whose replica is gone", entry.getKey());
            } else {
                entry.getValue().lease().renew();
            }
        }
        for (String folder : list(settings.folder())) {
            String name = folder.substring(folder.lastIndexOf('/') + 1);
            if (name.equals(own) || adopted.containsKey(name) || list(folder + "/events").isEmpty()) {
                continue;
            }
            InstanceLease lease = InstanceLease.adopt(driver, settings.folder(), name, settings.host());
            if (lease != null) {
                adopted.put(name, open(lease));
            }
        }
    }

    private Adopted open(InstanceLease lease) throws IOException {
        List<String> keys = settings.endpoints().stream().map(e -> Notifier.pathSegment(e.name())).toList();
        Outbox outbox = Outbox.open(driver, lease.folder(), settings.maxEvents(), keys);
        List<Delivery> deliveries = new ArrayList<>();
        for (EndpointSettings endpoint : settings.endpoints()) {
            deliveries.add(new Delivery(endpoint, outbox.cursor(Notifier.pathSegment(endpoint.name()))).start());
        }
        Adopted adoption = new Adopted(lease, outbox, deliveries);
        log.warn("notification outbox {} has no live owner: this replica delivers its {} waiting event(s)", lease.instance(),
                adoption.pending());
        return adoption;
    }

    private List<String> list(String path) throws IOException {
        try {
            return driver.list(path);
        } catch (StorageDriverException.PathNotFound e) {
            return List.of();
        }
    }

    private static void close(Adopted adoption) throws InterruptedException {
        for (Delivery delivery : adoption.deliveries()) {
            delivery.close();
        }
        adoption.outbox().close();
        adoption.lease().release();
    }

    @Override
    public void close() throws InterruptedException {
        for (Adopted adoption : adopted.values()) {
            close(adoption);
        }
        adopted.clear();
    }
}
