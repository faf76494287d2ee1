package io.berth.notify;

import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which process owns a replica's outbox ({@code <instance>/owner}: a token unique to the process, its
 * host and pid, and a heartbeat renewed every {@link #RENEW}). A replica restarting under its name
 * takes its outbox back at once when the owner was a process of the same host that is gone (a kill
 * -9, a crash) or its heartbeat is older than {@link #TTL}; a live owner of the name (a second
 * replica on one host, or in one JVM) makes the newcomer take the next free name, {@code name-2}, ...
 * The same test lets a live replica adopt the outbox of one that is gone ({@link #adopt}).
 */
final class InstanceLease {

    private static final Logger log = LoggerFactory.getLogger(InstanceLease.class);

    static final Duration RENEW = Duration.ofSeconds(10);
    static final Duration TTL = Duration.ofSeconds(60);
    private static final int MAX_NAMES = 100;

    private final StorageDriver driver;
    private final String base;
    private final String token = UUID.randomUUID().toString();
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private String instance;

    private record Owner(String token, String host, long pid, long heartbeatMillis) {}

    private InstanceLease(StorageDriver driver, String base, String host) {
        this.driver = driver;
        this.base = base;
        this.host = host;
    }

    /** Takes the first free name among {@code name}, {@code name-2}, ... under {@code base}. */
    static InstanceLease take(StorageDriver driver, String base, String name, String host) throws IOException {
        InstanceLease lease = new InstanceLease(driver, base, host);
        for (int i = 1; i <= MAX_NAMES; i++) {
            String candidate = i == 1 ? name : name + "-" + i;
            Owner owner = lease.read(candidate);
            if (owner == null || lease.free(owner)) {
                lease.instance = candidate;
                lease.renew();
                if (i > 1) {
                    log.warn("notification outbox {} belongs to a live process; this one uses {}", name, candidate);
                }
                return lease;
            }
        }
        throw new IOException("no free notification outbox name among " + name + " to " + name + "-" + MAX_NAMES);
    }

    /**
     * Takes another replica's outbox {@code name} when its owner is gone (no owner, a stale heartbeat,
     * or a dead process of this host); null when a live process owns it.
     */
    static InstanceLease adopt(StorageDriver driver, String base, String name, String host) throws IOException {
        InstanceLease lease = new InstanceLease(driver, base, host);
        Owner owner = lease.read(name);
        if (owner != null && !lease.free(owner)) {
            return null;
        }
        lease.instance = name;
        lease.renew();
        return lease;
    }

    private boolean free(Owner owner) {
        if (System.currentTimeMillis() - owner.heartbeatMillis() > TTL.toMillis()) {
            return true;
        }
        // Same host: a process that is gone (killed, crashed) cannot come back; one that lives (another in this JVM too) owns it.
        return owner.host().equals(host) && owner.pid() != pid && ProcessHandle.of(owner.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    /** The name this process owns. */
    String instance() {
        return instance;
    }

    String folder() {
        return base + "/" + instance;
    }

    /** Writes the heartbeat. */
    void renew() throws IOException {
        String text = token + " " + host + " " + pid + "\n" + System.currentTimeMillis() + "\n";
        driver.putContent(folder() + "/owner", text.getBytes(StandardCharsets.UTF_8));
    }

    /** Gives the name up, so that a restart in this process takes it back at once. */
    void release() {
        try {
            Owner owner = read(instance);
            if (owner != null && owner.token().equals(token)) {
                driver.delete(folder() + "/owner");
            }
        } catch (IOException e) {
            log.warn("could not release notification outbox {}: {}", instance, e.toString());
        }
    }

    private Owner read(String name) throws IOException {
        try {
            String[] lines = new String(driver.getContent(base + "/" + name + "/owner"), StandardCharsets.UTF_8).split("\n");
            String[] who = lines[0].split(" ");
            return new Owner(who[0], who[1], Long.parseLong(who[2]), Long.parseLong(lines[1].trim()));
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        } catch (RuntimeException e) {
            return new Owner("", "", -1, 0); // damaged: free
        }
    }
}
