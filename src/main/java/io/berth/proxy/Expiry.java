package io.berth.proxy;

import io.berth.registry.Digest;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.storage.Paths;
import io.berth.storage.Registry;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each cached blob and manifest expires. Every entry is a small file in storage
 * ({@link Paths.ProxyExpiry}: the deadline in epoch milliseconds, 0 for never, and the size), written
 * when the content is cached and read back at start, so expiry survives restarts; in between the
 * entries live in memory, and {@link #sweep} removes what is due: a manifest with its tags, a blob's
 * link (its bytes go with the next garbage collection, as in Distribution).
 */
final class Expiry {

    private static final Logger log = LoggerFactory.getLogger(Expiry.class);

    private final StorageDriver driver;
    private final Registry local;
    private final Clock clock;
    private final Function<RepositoryName, ProxyStats> stats;
    private final Map<Paths.ProxyExpiry, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(long deadline, long size) {}

    Expiry(StorageDriver driver, Registry local, Clock clock, Function<RepositoryName, ProxyStats> stats) {
        this.driver = driver;
        this.local = local;
        this.clock = clock;
        this.stats = stats;
    }

    /** Reads the entries a previous run left; returns how many. */
    int load() throws IOException {
        List<String> files = new ArrayList<>();
        try {
            driver.walk(Paths.of(new Paths.ProxyExpiries()), info -> {
                if (!info.isDirectory()) {
                    files.add(info.path());
                }
            });
        } catch (StorageDriverException.PathNotFound e) {
            return 0;
        }
        for (String file : files) {
            Paths.ProxyExpiry key = Paths.proxyExpiryAt(file);
            Entry entry = key == null ? null : parse(file);
            if (entry != null && entries.putIfAbsent(key, entry) == null) {
                stats.apply(key.name()).cached(entry.size(), 1);
            }
        }
        return entries.size();
    }

    private Entry parse(String file) {
        try {
            String[] fields = new String(driver.getContent(file), StandardCharsets.UTF_8).strip().split(" ");
            return new Entry(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
        } catch (IOException | RuntimeException e) {
            log.warn("proxy expiry entry {} is unreadable and ignored: {}", file, e.toString());
            return null;
        }
    }

    /** Records cached content, unless it is recorded already; {@code ttl} zero keeps it until removed by hand. */
    void schedule(RepositoryName name, Digest digest, boolean manifest, long size, Duration ttl) throws IOException {
        Paths.ProxyExpiry key = new Paths.ProxyExpiry(name, digest, manifest);
        if (entries.containsKey(key)) {
            return;
        }
        Entry entry = new Entry(ttl.isZero() ? 0 : clock.millis() + ttl.toMillis(), size);
        driver.putContent(Paths.of(key), (entry.deadline() + " " + size + "\n").getBytes(StandardCharsets.UTF_8));
        if (entries.putIfAbsent(key, entry) == null) {
            stats.apply(name).cached(size, 1);
        }
    }

    /** Removes every cached item whose time has come; returns how many. */
    int sweep() {
        long now = clock.millis();
        int removed = 0;
        for (Map.Entry<Paths.ProxyExpiry, Entry> due : entries.entrySet()) {
            Entry entry = due.getValue();
            if (entry.deadline() == 0 || entry.deadline() > now) {
                continue;
            }
            try {
                remove(due.getKey());
                driver.delete(Paths.of(due.getKey()));
            } catch (StorageDriverException.PathNotFound e) {
                // the entry went already
            } catch (IOException | RuntimeException e) {
                log.warn("expiring cached {} failed, tried again on the next sweep: {}", due.getKey(), e.toString());
                continue;
            }
            if (entries.remove(due.getKey(), entry)) {
                stats.apply(due.getKey().name()).cached(-entry.size(), -1);
                removed++;
            }
        }
        return removed;
    }

    private void remove(Paths.ProxyExpiry key) throws IOException {
        try {
            if (key.manifest()) {
                local.repository(key.name()).manifests().delete(key.digest());
            } else {
                local.repository(key.name()).blobs().delete(key.digest());
            }
        } catch (RegistryException e) {
            // removed already (by hand, or an earlier sweep that crashed before dropping its entry)
        }
    }

    /** How often to sweep for the shortest ttl: often enough to be near it, never more than once a minute apart. */
    static Duration interval(List<Duration> ttls) {
        Duration shortest = ttls.stream().filter(ttl -> !ttl.isZero()).min(Duration::compareTo).orElse(Duration.ofMinutes(1));
        Duration quarter = shortest.dividedBy(4);
        Duration floor = Duration.ofMillis(100);
        return quarter.compareTo(floor) < 0 ? floor : quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : quarter;
    }
}
