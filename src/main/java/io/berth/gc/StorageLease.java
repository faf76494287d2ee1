package io.berth.gc;

import io.berth.storage.Paths;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The lease as a small object in storage ({@code _berth/gc/lease}: owner and expiry), for replicas
 * without Redis. A replica takes it only when it is absent or expired, then waits {@code settle} and
 * reads it again: of replicas that found it free at about the same time, only the last writer still
 * finds its own name, and the others back off. This holds as long as a taker writes within
 * {@code settle} of reading (storage answering within a second or two) and the replicas' clocks
 * agree to well within the lease's {@code ttl}; Redis' lease does not depend on either.
 */
public final class StorageLease implements Lease {

    private final StorageDriver driver;
    private final String owner;
    private final Clock clock;
    private final Duration ttl;
    private final Duration settle;
    private final String path = Paths.of(new Paths.GcLease());

    /** A lease for {@code owner} (unique per process), held for {@code ttl} from each take or renewal. */
    public StorageLease(StorageDriver driver, String owner, Clock clock, Duration ttl, Duration settle) {
        this.driver = driver;
        this.owner = owner;
        this.clock = clock;
        this.ttl = ttl;
        this.settle = settle;
    }

    /** What the lease object says. */
    private record Holder(String owner, Instant expires) {}

    @Override
    public boolean acquire() throws IOException {
        Holder holder = read();
        if (holder != null && !holder.owner().equals(owner) && holder.expires().isAfter(clock.instant())) {
            return false;
        }
        write();
        try {
            Thread.sleep(settle);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking the gc lease", e);
        }
        return holds();
    }

    @Override
    public boolean renew() throws IOException {
        if (!holds()) {
            return false;
        }
        write();
        return true;
    }

    @Override
    public void release() throws IOException {
        if (holds()) {
            try {
                driver.delete(path);
            } catch (StorageDriverException.PathNotFound e) {
                // gone already
            }
        }
    }

    private boolean holds() throws IOException {
        Holder holder = read();
        return holder != null && holder.owner().equals(owner);
    }

    private void write() throws IOException {
        String text = owner + "\n" + clock.instant().plus(ttl) + "\n";
        driver.putContent(path, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The holder, or null when there is none; a damaged object counts as expired. */
    private Holder read() throws IOException {
        try {
            String[] lines = new String(driver.getContent(path), StandardCharsets.UTF_8).split("\n");
            return new Holder(lines[0], lines.length > 1 ? Instant.parse(lines[1].trim()) : Instant.EPOCH);
        } catch (StorageDriverException.PathNotFound e) {
            return null;
        } catch (RuntimeException e) {
            return new Holder("", Instant.EPOCH);
        }
    }
}
